# Generated credentials and the application secret. The External Secrets Operator copies the
# secret's keys into the Kubernetes Secret imagineai-secrets (see infrastructure/k8s and the
# Helm chart); no credential is ever written into a manifest.
resource "random_password" "database" {
  length  = 40
  special = false
}

# ElastiCache AUTH tokens allow printable characters except / " @; letters and digits suffice.
resource "random_password" "redis" {
  length  = 64
  special = false
}

# Amazon MQ passwords: 12+ characters, no commas, colons or equals signs.
resource "random_password" "broker" {
  length  = 40
  special = false
}

resource "random_password" "jwt_secret_key" {
  length  = 64
  special = false
}

resource "random_password" "signing_key" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:the database, cache and broker passwords inside are set on those services by Terraform; rotate them together with terraform apply -replace, not with a Lambda that would rotate one side only
  name                    = "${local.name}/app"
  description             = "IMAGINEAI_* secrets of the ImagineAI ${var.environment} deployment"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "app" {
  secret_id = aws_secretsmanager_secret.app.id
  secret_string = jsonencode({
    IMAGINEAI_DATABASE_URL   = "postgresql://${module.rds.username}:${random_password.database.result}@${module.rds.address}:${module.rds.port}/${module.rds.database_name}?sslmode=require"
    IMAGINEAI_REDIS_URL      = "rediss://:${random_password.redis.result}@${module.elasticache.primary_endpoint}:${module.elasticache.port}/0"
    IMAGINEAI_BROKER_URL     = "${replace(module.mq.amqps_endpoint, "amqps://", "amqps://${module.mq.username}:${random_password.broker.result}@")}/"
    IMAGINEAI_JWT_SECRET_KEY = random_password.jwt_secret_key.result
    IMAGINEAI_SIGNING_KEY    = random_password.signing_key.result
  })
}
