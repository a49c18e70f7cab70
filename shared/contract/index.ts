import type { z } from 'zod';
import type { Procedure } from './define';
import { authContract } from './auth';
import { staffContract } from './staff';
import { auditContract } from './audit';
import { systemContract } from './system';
import { settingsContract } from './settings';
import { planEditorContract } from './plan-editor';
import { membersContract } from './members';
import { genealogyContract } from './genealogy';
import { walletContract } from './wallet';
import { withdrawalsContract } from './withdrawals';
import { periodsContract } from './periods';
import { dashboardContract } from './dashboard';
import { planContract } from './plan';
import { ordersContract } from './orders';
import { paymentsContract } from './payments';
import { commissionsContract } from './commissions';
import { autoshipContract } from './autoship';
import { economicsContract, simulationContract } from './economics';

export * from './define';

/** The whole IPC contract: both the main process and the renderer import this one object. */
export const contract = {
  ...authContract,
  ...staffContract,
  ...auditContract,
  ...systemContract,
  ...settingsContract,
  ...planEditorContract,
  ...membersContract,
  ...genealogyContract,
  ...walletContract,
  ...withdrawalsContract,
  ...periodsContract,
  ...dashboardContract,
  ...planContract,
  ...ordersContract,
  ...paymentsContract,
  ...commissionsContract,
  ...autoshipContract,
  ...economicsContract,
  ...simulationContract,
} satisfies Record<string, Procedure>;

export type Contract = typeof contract;
export type ProcedureName = keyof Contract;
export type InputOf<K extends ProcedureName> = z.input<Contract[K]['input']>;
export type OutputOf<K extends ProcedureName> = z.output<Contract[K]['output']>;
export type ParsedInputOf<K extends ProcedureName> = z.output<Contract[K]['input']>;
export const procedureNames = Object.keys(contract) as ProcedureName[];
