variable "repository_names" {
  description = "Repositories to create (one per image: backend, frontend)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key encrypting the images."
  type        = string
}

variable "untagged_image_days" {
  description = "Days after which untagged images are deleted."
  type        = number
  default     = 14
}

variable "tagged_images_kept" {
  description = "Release images kept per repository."
  type        = number
  default     = 50
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
