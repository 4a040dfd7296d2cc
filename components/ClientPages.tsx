'use client';
/**
 * The interactive pages load only in the browser: WebXR stores, WebGL canvases, workers and ORT
 * have nothing to do during SSR, and `ssr: false` keeps them out of the server render.
 */
import dynamic from 'next/dynamic';

const loading = () => <p className="loading">Loading…</p>;

export const ScanPage = dynamic(() => import('./ScanClient'), { ssr: false, loading });
export const ViewPage = dynamic(() => import('./ViewClient'), { ssr: false, loading });
export const DemoPage = dynamic(() => import('./DemoClient'), { ssr: false, loading });
export const DiagnosticsPage = dynamic(() => import('./DiagnosticsClient'), { ssr: false, loading });
