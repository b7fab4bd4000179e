/** A Helm chart value that sets no env var of the agent: the pods, their Kubernetes objects, and files mounted. */
export interface ChartOnlyValue {
  /** values.yaml paths, `/`-separated when one row describes several. */
  readonly value: string;
  readonly default: string;
  readonly meaning: string;
}

/** The chart values that are not settings of src/config/settings.ts, in the order of values.yaml. */
export const CHART_ONLY_VALUES: readonly ChartOnlyValue[] = [
  {
    value: '`temporal.tls.existingSecret`',
    default: '`""`',
    meaning:
      'a Secret mounted at `/etc/temporal-tls`; sets `TEMPORAL_TLS_CLIENT_CERT_PATH` / `_KEY_PATH` (keys `temporal.tls.certKey`, `.keyKey`, default `tls.crt`, `tls.key`) and `TEMPORAL_TLS_SERVER_CA_CERT_PATH` (key `.caKey`, default none)',
  },
  {
    value: '`config.existingConfigMap` / `config.key`',
    default: '`""` / `config.yaml`',
    meaning: 'a ConfigMap of yours holding the declarative config, instead of `config.inline`',
  },
  { value: '`extraEnv`', default: '`[]`', meaning: 'extra env vars for every pod' },
  {
    value: '`image.repository` / `image.tag` / `image.pullPolicy`',
    default: '`github-actions-agent` / appVersion / `IfNotPresent`',
    meaning: 'the image you built',
  },
  { value: '`imagePullSecrets`', default: '`[]`', meaning: '' },
  { value: '`nameOverride` / `fullnameOverride`', default: '`""`', meaning: "the names of the chart's objects" },
  { value: '`serviceAccount.create` / `.name` / `.annotations` / `.automountToken`', default: '`true` / release name / `{}` / `false`', meaning: '' },
  { value: '`podSecurityContext`', default: 'non-root 1000:1000, `RuntimeDefault` seccomp', meaning: '' },
  { value: '`securityContext`', default: 'read-only root FS, no privilege escalation, all capabilities dropped', meaning: '`/tmp` is an `emptyDir`' },
  { value: '`api.replicas`', default: '`2`', meaning: '' },
  { value: '`api.resources`', default: 'requests 100m / 128Mi, limit 512Mi', meaning: '' },
  { value: '`api.livenessProbe` / `readinessProbe` / `startupProbe`', default: '`/healthz` / `/readyz` / `/healthz`', meaning: '' },
  { value: '`api.pdb.enabled` / `.minAvailable` (or `.maxUnavailable`)', default: '`true` / `1`', meaning: 'rendered only when replicas > 1' },
  {
    value: '`api.extraEnv`, `podAnnotations`, `podLabels`, `nodeSelector`, `tolerations`, `affinity`, `topologySpreadConstraints`',
    default: 'empty',
    meaning: '',
  },
  { value: '`worker.replicas`', default: '`2`', meaning: '' },
  { value: '`worker.resources`', default: 'requests 200m / 256Mi, limit 1Gi', meaning: '' },
  {
    value: '`worker.nodeOptions`',
    default: '`--max-old-space-size=640`',
    meaning: '`NODE_OPTIONS` of the worker: the V8 heap limit, to match `resources.limits.memory`',
  },
  { value: '`worker.terminationGracePeriodSeconds`', default: '`60`', meaning: 'time for running activities on shutdown' },
  { value: '`worker.*` probes, `pdb`, scheduling', default: 'as for `api`, probes on `/healthz` of the metrics port', meaning: '' },
  { value: '`service.type` / `.port` / `.annotations`', default: '`ClusterIP` / `80` / `{}`', meaning: 'the API Service' },
  { value: '`ingress.enabled`', default: '`false`', meaning: '' },
  { value: '`ingress.className` / `.annotations` / `.host` / `.tls`', default: '`""` / `{}` / `""` (required when enabled) / `[]`', meaning: '' },
  {
    value: '`ingress.paths`',
    default: '`[{path: /api/github/webhook, pathType: Exact}, {path: /api/v1, pathType: Prefix}]`',
    meaning: 'the webhook, and the jobs API GitHub-hosted runners call (get-job-inputs, the status PATCH); drop `/api/v1` when only in-network runners call it',
  },
  {
    value: '`metrics.serviceMonitor.enabled` / `.interval` / `.scrapeTimeout` / `.labels`',
    default: '`false` / `30s` / `10s` / `{}`',
    meaning: 'one ServiceMonitor each for API and worker (needs the Prometheus Operator CRDs)',
  },
  { value: '`setup.enabled`', default: '`true`', meaning: 'the search-attribute setup hook Job' },
  {
    value: '`setup.backoffLimit` / `.activeDeadlineSeconds` / `.ttlSecondsAfterFinished` / `.resources`',
    default: '`6` / `600` / `3600` / small',
    meaning: '',
  },
];
