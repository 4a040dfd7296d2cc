import type { Metadata } from 'next';
import { DemoPage } from '@/components/ClientPages';

export const metadata: Metadata = { title: 'Demo · SegSplat XR' };

export default function Page() {
  return <DemoPage />;
}
