import { z } from 'zod';

/** When the image is pulled before a run. */
export const pullPolicies = ['missing', 'always', 'never'] as const;

/** The runtime options of a `container` flow (what a flow stores as `runtime.options`). */
export const containerOptionsSchema = z.strictObject({
  /** The image, for example `ghcr.io/acme/claude-agent:1.2.0` (pin a tag or a digest). */
  image: z
    .string()
    .min(1)
    .max(500)
    .regex(/^[^\s]+$/, 'must not contain spaces'),
  /** The program to run instead of the image's entrypoint. @default the image's entrypoint */
  entrypoint: z.array(z.string().max(10_000)).max(20).optional(),
  /** The command (arguments); `{prompt}` in an argument is replaced by the rendered prompt. @default the image's command */
  command: z.array(z.string().max(100_000)).max(100).optional(),
  /** The working directory inside the container. @default the image's */
  workingDir: z.string().min(1).max(1000).optional(),
  /** Extra environment variables (the server's own environment is never passed on). @default {} */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(10_000)).default({}),
  /** The user to run as, for example `1000:1000`. @default the image's */
  user: z.string().min(1).max(100).optional(),
  /** Memory limit in MiB. @default no limit */
  memoryMb: z.number().int().min(6).max(1_048_576).optional(),
  /** CPU limit (fractions allowed, `1.5`). @default no limit */
  cpus: z.number().min(0.01).max(1024).optional(),
  /** The limit on processes in the container. @default no limit */
  pidsLimit: z.number().int().min(1).max(1_000_000).optional(),
  /** Docker network mode (`bridge`, `none`, a user-defined network's name). @default the plugin's `network`, else `bridge` */
  network: z.string().min(1).max(200).optional(),
  /** Pull the image before the run: `missing` (when not present), `always` or `never`. @default the plugin's `pull`, else `missing` */
  pull: z.enum(pullPolicies).optional(),
  /** Let the Docker daemon remove the container when it exits (`HostConfig.AutoRemove`); otherwise the runtime removes it after reading its logs. @default false */
  autoRemove: z.boolean().default(false),
  /** Seconds between SIGTERM (`stop`) and SIGKILL when a run is cancelled or times out. @default 2 */
  stopGraceSeconds: z.number().int().min(0).max(60).default(2),
});

/** The `container` runtime's options, as a flow stores them. */
export type ContainerRuntimeOptions = z.input<typeof containerOptionsSchema>;

/**
 * The problems of a flow's `container` options, each naming the option (empty when valid).
 *
 * @example
 * ```ts
 * findContainerOptionProblems({ image: 'ghcr.io/acme/agent:1', cpus: 0 }); // ['options.cpus: Too small: expected number to be >=0.01']
 * ```
 */
export function findContainerOptionProblems(options: Record<string, unknown>): string[] {
  const parsed = containerOptionsSchema.safeParse(options);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `options.${issue.path.join('.')}: ${issue.message}`);
}
