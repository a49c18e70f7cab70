import { mutator, reader } from '../../kernel/wrappers';
import type { CallContext, MutationContext } from '../../kernel/context';
import type { ParsedInputOf } from '../../../shared/contract';
import { periodOf } from '../../domain/period';
import { openPeriod } from '../periods/lookup';
import { createDraft, listVersions, publishDraft, updateDraftRanks, versionInForce, versionView, viewById } from './versions';

async function current(input: ParsedInputOf<'plan.current'>, ctx: CallContext) {
  const key = input.periodKey ?? (await openPeriod(ctx.db))?.key ?? periodOf(ctx.now());
  return { periodKey: key, version: versionView(await versionInForce(ctx.db, key)) };
}

async function versions(_: ParsedInputOf<'plan.versions'>, ctx: CallContext) {
  return (await listVersions(ctx.db)).map((v) => {
    const { figures: _f, ...rest } = versionView(v);
    return rest;
  });
}

async function draft(input: ParsedInputOf<'plan.createDraft'>, ctx: MutationContext) {
  const row = await createDraft(ctx.tx, input, ctx.staff?.id ?? null);
  await ctx.audit({
    entity: 'plan_version',
    entityId: row.id,
    after: { name: row.name, effectiveFromPeriod: row.effectiveFromPeriod, status: row.status, copiedFrom: input.fromVersionId ?? 'en vigor' },
  });
  return viewById(ctx.tx, row.id);
}

async function updateRanks(input: ParsedInputOf<'plan.updateDraftRanks'>, ctx: MutationContext) {
  const { before, after } = await updateDraftRanks(ctx.tx, input.id, input.ranks);
  await ctx.audit({
    entity: 'plan_version',
    entityId: input.id,
    reason: input.reason,
    before: { ranks: versionView(before).ranks },
    after: { ranks: versionView(after).ranks },
  });
  return viewById(ctx.tx, input.id);
}

async function publish(input: ParsedInputOf<'plan.publish'>, ctx: MutationContext) {
  const { before, after } = await publishDraft(ctx.tx, input.id, ctx.staff?.id ?? null, ctx.now());
  await ctx.audit({
    entity: 'plan_version',
    entityId: input.id,
    reason: input.reason,
    before: { status: before.status },
    after: { status: after.status, effectiveFromPeriod: after.effectiveFromPeriod, publishedAt: after.publishedAt },
  });
  return viewById(ctx.tx, input.id);
}

export const planHandlers = {
  'plan.current': reader(current),
  'plan.versions': reader(versions),
  'plan.createDraft': mutator(draft),
  'plan.updateDraftRanks': mutator(updateRanks),
  'plan.publish': mutator(publish),
};
