output "cluster_name" {
  description = "aws eks update-kubeconfig --name <this>"
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = module.eks.cluster_endpoint
}

output "ecr_repository_urls" {
  description = "Where CI pushes the backend and frontend images."
  value       = module.ecr.repository_urls
}

output "images_bucket_name" {
  description = "IMAGINEAI_S3_BUCKET."
  value       = module.s3.bucket_name
}

output "service_account_role_arns" {
  description = "eks.amazonaws.com/role-arn annotation per service account (Helm values / kustomize overlay)."
  value       = module.iam.service_account_role_arns
}

output "external_secrets_role_arn" {
  description = "IRSA role for the External Secrets Operator's service account."
  value       = module.iam.external_secrets_role_arn
}

output "app_secret_name" {
  description = "Secrets Manager secret the ExternalSecret reads."
  value       = aws_secretsmanager_secret.app.name
}

output "vpc_cidr_block" {
  description = "CIDR of the VPC (the NetworkPolicy egress rules allow the data stores inside it)."
  value       = module.vpc.vpc_cidr_block
}
