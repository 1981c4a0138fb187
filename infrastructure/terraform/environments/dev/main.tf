# ImagineAI on AWS: one environment, composed from the modules. The three environments share
# this file; only terraform.tfvars and backend.hcl differ (tests/infrastructure checks it).
locals {
  name         = "imagineai-${var.environment}"
  cluster_name = local.name
  tags = {
    Project     = "imagineai"
    Environment = var.environment
    ManagedBy   = "terraform"
  }
  zone_count = length(var.availability_zones)
}

module "vpc" {
  source = "../../modules/vpc"

  name                 = local.name
  cidr_block           = var.vpc_cidr
  availability_zones   = var.availability_zones
  public_subnet_cidrs  = [for index in range(local.zone_count) : cidrsubnet(var.vpc_cidr, 8, index)]
  private_subnet_cidrs = [for index in range(local.zone_count) : cidrsubnet(var.vpc_cidr, 4, index + 1)]
  data_subnet_cidrs    = [for index in range(local.zone_count) : cidrsubnet(var.vpc_cidr, 8, index + 200)]
  single_nat_gateway   = var.single_nat_gateway
  cluster_name         = local.cluster_name
  kms_key_arn          = aws_kms_key.this.arn
  tags                 = local.tags
}

module "eks" {
  source = "../../modules/eks"

  cluster_name           = local.cluster_name
  kubernetes_version     = var.kubernetes_version
  subnet_ids             = module.vpc.private_subnet_ids
  endpoint_public_access = var.cluster_endpoint_public_access
  public_access_cidrs    = var.cluster_public_access_cidrs
  kms_key_arn            = aws_kms_key.this.arn
  log_retention_days     = var.log_retention_days
  node_groups            = var.node_groups
  tags                   = local.tags
}

module "rds" {
  source = "../../modules/rds"

  name                       = local.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.data_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  instance_class             = var.db_instance_class
  master_password            = random_password.database.result
  multi_az                   = var.db_multi_az
  deletion_protection        = var.db_deletion_protection
  backup_retention_days      = var.db_backup_retention_days
  kms_key_arn                = aws_kms_key.this.arn
  tags                       = local.tags
}

module "elasticache" {
  source = "../../modules/elasticache"

  name                       = local.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.data_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  node_type                  = var.redis_node_type
  replica_count              = var.redis_replica_count
  auth_token                 = random_password.redis.result
  kms_key_arn                = aws_kms_key.this.arn
  log_retention_days         = var.log_retention_days
  tags                       = local.tags
}

module "mq" {
  source = "../../modules/mq"

  name                       = local.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.data_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  instance_type              = var.mq_instance_type
  cluster_mode               = var.mq_cluster_mode
  password                   = random_password.broker.result
  tags                       = local.tags
}

module "s3" {
  source = "../../modules/s3"

  bucket_name          = var.images_bucket_name
  cors_allowed_origins = var.spa_origins
  kms_key_arn          = aws_kms_key.this.arn
  force_destroy        = var.images_bucket_force_destroy
  tags                 = local.tags
}

module "ecr" {
  source = "../../modules/ecr"

  repository_names = ["${local.name}/backend", "${local.name}/frontend"]
  kms_key_arn      = aws_kms_key.this.arn
  tags             = local.tags
}

module "iam" {
  source = "../../modules/iam"

  name              = local.name
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  images_bucket_arn = module.s3.bucket_arn
  kms_key_arn       = aws_kms_key.this.arn
  region            = var.region
  bedrock_region    = var.bedrock_region
  bedrock_model_ids = var.bedrock_model_ids
  app_secret_arn    = aws_secretsmanager_secret.app.arn
  tags              = local.tags
}
