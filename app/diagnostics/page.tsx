import type { Metadata } from 'next';
import { DiagnosticsPage } from '@/components/ClientPages';

export const metadata: Metadata = { title: 'Diagnostics · SegSplat XR' };

export default function Page() {
  return <DiagnosticsPage />;
}
