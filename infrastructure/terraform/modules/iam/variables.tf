variable "name" {
  description = "Role name prefix (e.g. imagineai-prod)."
  type        = string
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider."
  type        = string
}

variable "oidc_issuer" {
  description = "Issuer of the cluster's service-account tokens, without https://."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the application."
  type        = string
  default     = "imagineai"
}

variable "images_bucket_arn" {
  description = "ARN of the image bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the bucket and of the application secret."
  type        = string
}

variable "region" {
  description = "Region of the deployment (S3, Secrets Manager)."
  type        = string
}

variable "bedrock_region" {
  description = "Region of the Bedrock model."
  type        = string
}

variable "bedrock_model_ids" {
  description = "Bedrock foundation models the descriptions may use (Claude 3.5 Sonnet)."
  type        = list(string)
}

variable "app_secret_arn" {
  description = "Secrets Manager secret holding the IMAGINEAI_* secrets."
  type        = string
}

variable "external_secrets_namespace" {
  description = "Namespace of the External Secrets Operator."
  type        = string
  default     = "external-secrets"
}

variable "external_secrets_service_account" {
  description = "Service account of the External Secrets Operator."
  type        = string
  default     = "external-secrets"
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
