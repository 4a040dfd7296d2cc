import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'SegSplat XR',
  description: 'Semantic 3D Gaussian splats from posed phone and headset frames, queried in WebXR.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#101418' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/" className="brand">
            SegSplat XR
          </Link>
          <nav>
            <Link href="/scan">Scan</Link>
            <Link href="/view">View</Link>
            <Link href="/demo">Demo</Link>
            <Link href="/diagnostics">Diagnostics</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
