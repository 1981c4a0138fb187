variable "bucket_name" {
  description = "Name of the private image bucket (globally unique)."
  type        = string
}

variable "cors_allowed_origins" {
  description = "Origins of the SPA that PUT images straight to presigned URLs."
  type        = list(string)

  validation {
    condition     = alltrue([for origin in var.cors_allowed_origins : can(regex("^https://", origin))])
    error_message = "The SPA origins must be https:// URLs."
  }
}

variable "kms_key_arn" {
  description = "KMS key of the bucket's default encryption (SSE-KMS)."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted image version is kept before it is purged."
  type        = number
  default     = 30
}

variable "infrequent_access_after_days" {
  description = "Days after which images move to STANDARD_IA."
  type        = number
  default     = 90
}

variable "access_log_retention_days" {
  description = "Days the server access logs are kept."
  type        = number
  default     = 365
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a bucket that still holds images (dev only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
