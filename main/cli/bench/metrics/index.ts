import type { Metric } from '../types';
import { genealogyMetrics } from './genealogy';
import { walletMetrics } from './wallet';
import { volumesMetrics } from './volumes';
import { dashboardMetrics } from './dashboard';
import { commissionsMetrics } from './commissions';
import { economicsMetrics } from './economics';
import { commissionsPreview } from './preview';
import { seedGenerate } from './seed';
import { uiMetrics } from './ui';

/** Every metric of `npm run bench`, in run order. Each area adds one line. */
export const metrics: Metric[] = [
  ...genealogyMetrics,
  ...walletMetrics,
  ...volumesMetrics,
  ...dashboardMetrics,
  ...commissionsMetrics,
  ...economicsMetrics,
  commissionsPreview,
  seedGenerate,
  ...uiMetrics,
];
