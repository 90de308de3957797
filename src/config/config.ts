import { BASE_URLS } from './config-values.js';
import { ENVIRONMENT_VARIABLES } from './environment-variables.js';

export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

type Parsed = { [Field in keyof typeof ENVIRONMENT_VARIABLES]: ReturnType<(typeof ENVIRONMENT_VARIABLES)[Field]['parse']> };
type UnsetWhenUndefined = { [Field in keyof Parsed]: undefined extends Parsed[Field] ? Field : never }[keyof Parsed];

/** The server's settings, read once at start from the environment (see environment-variables.ts); unset ones are absent. */
export type Config = Omit<Parsed, 'baseUrl' | UnsetWhenUndefined> &
  Partial<Omit<Pick<Parsed, UnsetWhenUndefined>, 'baseUrl'>> & {
    /** DODO_PAYMENTS_BASE_URL when set, otherwise the environment's URL. */
    baseUrl: string;
  };

/**
 * Reads a variable, treating empty values and unfilled Claude Desktop placeholders
 * (the literal `${user_config.name}`) as unset.
 */
export function readVariable(env: EnvironmentVariables, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value || /^\$\{user_config\.[^}]*\}$/.test(value)) return undefined;
  return value;
}

export function loadConfig(env: EnvironmentVariables): Config {
  const parsed = Object.fromEntries(
    Object.entries(ENVIRONMENT_VARIABLES).map(([field, spec]) => [field, spec.parse(readVariable(env, spec.name), spec.name)]),
  ) as Parsed;
  return { ...parsed, baseUrl: parsed.baseUrl ?? BASE_URLS[parsed.environment] };
}

/** Hosted-mode variables that are set while the server serves stdio, where nothing reads them (names only: some are secrets). */
export function ignoredHostedVariables(config: Config): string[] {
  if (config.transport === 'http') return [];
  return Object.entries(ENVIRONMENT_VARIABLES)
    .filter(([field, spec]) => 'hostedOnly' in spec && spec.hostedOnly && config[field as keyof Config] !== undefined)
    .map(([, spec]) => spec.name);
}
