/** The period engine: public API. */
export { runPeriodEngine, computePeriod, type EngineOptions } from './engine';
export { PeriodResult, LineTable, VolumeTable, ProgramTable, LINE_TYPE_BY_CODE, LINE_COPY_COLUMNS } from './tables';
export * from './types';
export * from './errors';
export { EngineCaseSchema, parseEngineCase, caseToEngineInput, toCaseOutput, serializeCaseOutput, type EngineCase, type CaseOutput } from './case-format';
export { instantLines, type UplineMember } from './instant';
