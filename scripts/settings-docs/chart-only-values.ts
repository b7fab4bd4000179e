/** A Helm chart value that sets no env var of the agent: the pods, their Kubernetes objects, and files mounted. */
export interface ChartOnlyValue {
  /** The row's first cell, as the docs show it: values.yaml paths, `/`-separated when one row describes several. */
  readonly value: string;
  /**
   * The values.yaml paths the row documents, each with everything under it. test/deploy/settings-declaration.test.ts
   * checks that each exists and that these and the settings' chart values cover every value in values.yaml.
   */
  readonly covers: readonly string[];
  readonly default: string;
  readonly meaning: string;
}

/** The chart values that are not settings of src/config/settings.ts, in the order of values.yaml. */
export const CHART_ONLY_VALUES: readonly ChartOnlyValue[] = [
  {
    value: '`temporal.tls.existingSecret`',
    covers: ['temporal.tls.existingSecret', 'temporal.tls.certKey', 'temporal.tls.keyKey', 'temporal.tls.caKey'],
    default: '`""`',
    meaning:
      'a Secret mounted at `/etc/temporal-tls`; sets `TEMPORAL_TLS_CLIENT_CERT_PATH` / `_KEY_PATH` (keys `temporal.tls.certKey`, `.keyKey`, default `tls.crt`, `tls.key`) and `TEMPORAL_TLS_SERVER_CA_CERT_PATH` (key `.caKey`, default none)',
  },
  {
    value: '`config.existingConfigMap` / `config.key`',
    covers: ['config.existingConfigMap', 'config.key'],
    default: '`""` / `config.yaml`',
    meaning: 'a ConfigMap of yours holding the declarative config, instead of `config.inline`',
  },
  { value: '`extraEnv`', covers: ['extraEnv'], default: '`[]`', meaning: 'extra env vars for every pod' },
  {
    value: '`image.repository` / `image.tag` / `image.pullPolicy`',
    covers: ['image.repository', 'image.tag', 'image.pullPolicy'],
    default: '`github-actions-agent` / appVersion / `IfNotPresent`',
    meaning: 'the image you built',
  },
  { value: '`imagePullSecrets`', covers: ['imagePullSecrets'], default: '`[]`', meaning: '' },
  { value: '`nameOverride` / `fullnameOverride`', covers: ['nameOverride', 'fullnameOverride'], default: '`""`', meaning: "the names of the chart's objects" },
  {
    value: '`serviceAccount.create` / `.name` / `.annotations` / `.automountToken`',
    covers: ['serviceAccount.create', 'serviceAccount.name', 'serviceAccount.annotations', 'serviceAccount.automountToken'],
    default: '`true` / release name / `{}` / `false`',
    meaning: '',
  },
  { value: '`podSecurityContext`', covers: ['podSecurityContext'], default: 'non-root 1000:1000, `RuntimeDefault` seccomp', meaning: '' },
  {
    value: '`securityContext`',
    covers: ['securityContext'],
    default: 'read-only root FS, no privilege escalation, all capabilities dropped',
    meaning: '`/tmp` is an `emptyDir`',
  },
  { value: '`api.replicas`', covers: ['api.replicas'], default: '`2`', meaning: '' },
  { value: '`api.resources`', covers: ['api.resources'], default: 'requests 100m / 128Mi, limit 512Mi', meaning: '' },
  {
    value: '`api.livenessProbe` / `readinessProbe` / `startupProbe`',
    covers: ['api.livenessProbe', 'api.readinessProbe', 'api.startupProbe'],
    default: '`/healthz` / `/readyz` / `/healthz`',
    meaning: '',
  },
  {
    value: '`api.pdb.enabled` / `.minAvailable` (or `.maxUnavailable`)',
    covers: ['api.pdb.enabled', 'api.pdb.minAvailable'],
    default: '`true` / `1`',
    meaning: 'rendered only when replicas > 1',
  },
  {
    value: '`api.extraEnv`, `podAnnotations`, `podLabels`, `nodeSelector`, `tolerations`, `affinity`, `topologySpreadConstraints`',
    covers: ['api.extraEnv', 'api.podAnnotations', 'api.podLabels', 'api.nodeSelector', 'api.tolerations', 'api.affinity', 'api.topologySpreadConstraints'],
    default: 'empty',
    meaning: '',
  },
  { value: '`worker.replicas`', covers: ['worker.replicas'], default: '`2`', meaning: '' },
  { value: '`worker.resources`', covers: ['worker.resources'], default: 'requests 200m / 256Mi, limit 1Gi', meaning: '' },
  {
    value: '`worker.nodeOptions`',
    covers: ['worker.nodeOptions'],
    default: '`--max-old-space-size=640`',
    meaning: '`NODE_OPTIONS` of the worker: the V8 heap limit, to match `resources.limits.memory`',
  },
  {
    value: '`worker.terminationGracePeriodSeconds`',
    covers: ['worker.terminationGracePeriodSeconds'],
    default: '`60`',
    meaning: 'time for running activities on shutdown',
  },
  {
    value: '`worker.*` probes, `pdb`, scheduling',
    covers: [
      'worker.livenessProbe',
      'worker.readinessProbe',
      'worker.startupProbe',
      'worker.pdb',
      'worker.extraEnv',
      'worker.podAnnotations',
      'worker.podLabels',
      'worker.nodeSelector',
      'worker.tolerations',
      'worker.affinity',
      'worker.topologySpreadConstraints',
    ],
    default: 'as for `api`, probes on `/healthz` of the metrics port',
    meaning: '',
  },
  {
    value: '`service.type` / `.port` / `.annotations`',
    covers: ['service.type', 'service.port', 'service.annotations'],
    default: '`ClusterIP` / `80` / `{}`',
    meaning: 'the API Service',
  },
  { value: '`ingress.enabled`', covers: ['ingress.enabled'], default: '`false`', meaning: '' },
  {
    value: '`ingress.className` / `.annotations` / `.host` / `.tls`',
    covers: ['ingress.className', 'ingress.annotations', 'ingress.host', 'ingress.tls'],
    default: '`""` / `{}` / `""` (required when enabled) / `[]`',
    meaning: '',
  },
  {
    value: '`ingress.paths`',
    covers: ['ingress.paths'],
    default: '`[{path: /api/github/webhook, pathType: Exact}, {path: /api/v1, pathType: Prefix}]`',
    meaning: 'the webhook, and the jobs API GitHub-hosted runners call (get-job-inputs, the status PATCH); drop `/api/v1` when only in-network runners call it',
  },
  {
    value: '`metrics.serviceMonitor.enabled` / `.interval` / `.scrapeTimeout` / `.labels`',
    covers: ['metrics.serviceMonitor.enabled', 'metrics.serviceMonitor.interval', 'metrics.serviceMonitor.scrapeTimeout', 'metrics.serviceMonitor.labels'],
    default: '`false` / `30s` / `10s` / `{}`',
    meaning: 'one ServiceMonitor each for API and worker (needs the Prometheus Operator CRDs)',
  },
  { value: '`setup.enabled`', covers: ['setup.enabled'], default: '`true`', meaning: 'the search-attribute setup hook Job' },
  {
    value: '`setup.backoffLimit` / `.activeDeadlineSeconds` / `.ttlSecondsAfterFinished` / `.resources`',
    covers: ['setup.backoffLimit', 'setup.activeDeadlineSeconds', 'setup.ttlSecondsAfterFinished', 'setup.resources'],
    default: '`6` / `600` / `3600` / small',
    meaning: '',
  },
];
