/**
 * @module
 * `berth quota`: the quota tree of a Berth cloud, as the OS_* variables of an openrc file log in.
 *   berth quota set PROJECT [--mode M] [--guarantee cpu=4,memory=4096] [--borrow-limit ...] [--lend-limit ...] [--weight W] [--priority P]
 *   berth quota tree [PROJECT] [-f table|json]
 * Server errors print its message and exit 1; bad flags or a missing variable exit 2.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError, credentialsFrom, OsSession } from './os-session.js';
import { quotaTable, TABLE_RESOURCES, type TreeProject } from './quota-table.js';

type AmountsFlag = Record<string, number | null>;

interface SetFlags {
  mode?: string;
  guarantee?: AmountsFlag;
  borrowLimit?: AmountsFlag;
  lendLimit?: AmountsFlag;
  weight?: number;
  priority?: number;
  format: string;
}

const TREE_PATH = '/os-berth/quota-tree';

/** `cpu=4,memory=4096`; `cpu=-1` is no limit; `cpu=none` clears a resource (its default applies again). Repeatable. */
function amountsFlag(value: string, previous: AmountsFlag | undefined): AmountsFlag {
  const out: AmountsFlag = { ...previous };
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    const text = eq > 0 ? part.slice(eq + 1).trim() : '';
    if (!(TABLE_RESOURCES as readonly string[]).includes(key)) throw new InvalidArgumentError(`"${part}" must be RESOURCE=AMOUNT with RESOURCE one of ${TABLE_RESOURCES.join(', ')}`);
    if (text === 'none') {
      out[key] = null;
      continue;
    }
    const n = text === '' ? NaN : Number(text);
    if (!Number.isFinite(n) || (n < 0 && n !== -1)) throw new InvalidArgumentError(`the amount of ${key} must be a number 0 or more, -1 for no limit, or none, not "${text}"`);
    out[key] = n;
  }
  return out;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number more than 0');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
}

const formatOption = () => new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table');

/** Logs in, runs `fn` with the session and the container endpoint; reports failures and sets the exit code. */
async function withSession(fn: (s: OsSession, zun: string) => Promise<void>): Promise<void> {
  try {
    const s = await OsSession.login(credentialsFrom(process.env));
    await fn(s, s.endpoint('container'));
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(`berth quota: ${e.message}\n`);
    process.exit(e.exitCode);
  }
}

const show = (v: TreeProject | TreeProject[], format: string) =>
  process.stdout.write(format === 'json' ? `${JSON.stringify(v, null, 2)}\n` : quotaTable(Array.isArray(v) ? v : [v]));

export function registerQuotaCommand(program: Command): void {
  const quota = program
    .command('quota')
    .description('show and change the quota tree of a Berth cloud (credentials from the OS_* variables of an openrc file)')
    // Usage errors exit 2 (commander's own exit code is 1); the subcommands inherit this.
    .exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? 0 : 2));

  quota
    .command('set')
    .description('change a project\'s quota settings; what is not given stays as it is')
    .argument('<project>', 'project name or id')
    .addOption(new Option('--mode <mode>', 'exclusive: its own guarantee only; lend: shares idle guarantee with its lend-mode siblings; share: draws from its parent by weight').choices(['exclusive', 'lend', 'share']))
    .option('--guarantee <amounts>', 'guaranteed amounts, e.g. cpu=4,memory=4096,containers=10,disk=50 (RESOURCE=none clears one)', amountsFlag)
    .option('--borrow-limit <amounts>', 'how far beyond its guarantee it may go (lend and share modes)', amountsFlag)
    .option('--lend-limit <amounts>', 'how much of its guarantee it lends (lend mode)', amountsFlag)
    .option('--weight <n>', 'its weight among share-mode siblings (more than 0)', positive)
    .option('--priority <n>', 'preemption order: containers of lower priority are reclaimed first', integer)
    .addOption(formatOption())
    .action(async (project: string, flags: SetFlags) => {
      const body: Record<string, unknown> = {};
      if (flags.mode !== undefined) body.mode = flags.mode;
      if (flags.guarantee) body.guarantee = flags.guarantee;
      if (flags.borrowLimit) body.borrow_limit = flags.borrowLimit;
      if (flags.lendLimit) body.lend_limit = flags.lendLimit;
      if (flags.weight !== undefined) body.weight = flags.weight;
      if (flags.priority !== undefined) body.priority = flags.priority;
      if (Object.keys(body).length === 0) {
        process.stderr.write('berth quota set: nothing to change; give --mode, --guarantee, --borrow-limit, --lend-limit, --weight or --priority\n');
        process.exit(2);
      }
      await withSession(async (s, zun) => {
        const id = await s.projectIdOf(project);
        const entry = (await s.call('PUT', `${zun}${TREE_PATH}/${encodeURIComponent(id)}`, body)) as TreeProject;
        show(entry, flags.format);
      });
    });

  quota
    .command('tree')
    .description('show the quota tree (under PROJECT when given): guarantee, limit, use, borrowed and lent per resource')
    .argument('[project]', 'project name or id (default: every project an admin may see, else your project)')
    .addOption(formatOption())
    .action(async (project: string | undefined, flags: { format: string }) => {
      await withSession(async (s, zun) => {
        const query = project === undefined ? '' : `?project=${encodeURIComponent(await s.projectIdOf(project))}`;
        const { projects } = (await s.call('GET', `${zun}${TREE_PATH}${query}`)) as { projects: TreeProject[] };
        show(projects, flags.format);
      });
    });
}
