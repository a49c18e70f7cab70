import type { CaseOutput } from '../../domain/engine';

/** The case result JSON, as the engine's serializer writes it (volumes, lines, programs). */
export function serializeCaseOutputJson(out: CaseOutput): string {
  return `${JSON.stringify(out, null, 1)}\n`;
}
