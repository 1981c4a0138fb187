{{/* Prefix of every object name; "imagineai" unless overridden. */}}
{{- define "imagineai.fullname" -}}
{{- default "imagineai" .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "imagineai.labels" -}}
app.kubernetes.io/name: imagineai
app.kubernetes.io/part-of: imagineai
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.environment }}
imagineai.dev/environment: {{ . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: {{ include "imagineai.selector" (list . "api") }} */}}
{{- define "imagineai.selector" -}}
app.kubernetes.io/name: imagineai
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "imagineai.backendImage" -}}
{{ printf "%s:%s" .Values.image.backend.repository (toString .Values.image.backend.tag) }}
{{- end -}}

{{- define "imagineai.frontendImage" -}}
{{ printf "%s:%s" .Values.image.frontend.repository (toString .Values.image.frontend.tag) }}
{{- end -}}

{{- define "imagineai.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "imagineai.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "imagineai.backendEnvFrom" -}}
- configMapRef:
    name: {{ include "imagineai.fullname" . }}-config
- secretRef:
    name: {{ .Values.secrets.name }}
{{- end -}}

{{- define "imagineai.backendVolumeMounts" -}}
- name: var
  mountPath: /var/lib/imagineai
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "imagineai.backendVolumes" -}}
- name: var
  emptyDir:
    sizeLimit: {{ . }}
- name: tmp
  emptyDir:
    sizeLimit: {{ . }}
{{- end -}}

{{/* Annotations every workload carries: checkov skips with their reasons, Argo CD wave. */}}
{{- define "imagineai.workloadAnnotations" -}}
argocd.argoproj.io/sync-wave: "1"
checkov.io/skip1: CKV_K8S_43=the values pin immutable release tags (ECR tag immutability on), which name one image as a digest would
{{- end -}}

{{- define "imagineai.envFromSecretSkip" -}}
checkov.io/skip2: CKV_K8S_35=settings come from IMAGINEAI_* environment variables by design (pydantic-settings); EKS encrypts Secrets with KMS
{{- end -}}
