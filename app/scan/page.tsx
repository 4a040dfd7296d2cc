import type { Metadata } from 'next';
import { ScanPage } from '@/components/ClientPages';

export const metadata: Metadata = { title: 'Scan · SegSplat XR' };

export default function Page() {
  return <ScanPage />;
}
