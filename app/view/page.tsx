import type { Metadata } from 'next';
import { ViewPage } from '@/components/ClientPages';

export const metadata: Metadata = { title: 'View · SegSplat XR' };

export default function Page() {
  return <ViewPage />;
}
