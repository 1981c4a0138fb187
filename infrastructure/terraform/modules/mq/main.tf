resource "aws_security_group" "this" {
  name        = "${var.name}-rabbitmq"
  description = "Amazon MQ (RabbitMQ) reachable from the EKS cluster only"
  vpc_id      = var.vpc_id

  tags = var.tags
}

# Amazon MQ for RabbitMQ accepts AMQP only over TLS, on 5671 (compose uses plain 5672).
resource "aws_vpc_security_group_ingress_rule" "amqps" {
  for_each = toset(var.allowed_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = "AMQPS from the cluster"
  ip_protocol                  = "tcp"
  from_port                    = 5671
  to_port                      = 5671
  referenced_security_group_id = each.value
}

resource "aws_mq_broker" "this" {
  #checkov:skip=CKV_AWS_209:Amazon MQ for RabbitMQ encrypts at rest with an AWS-owned key only; encryption_options (customer key) applies to ActiveMQ
  #checkov:skip=CKV_AWS_48:RabbitMQ brokers support general logs only (enabled below); audit logs exist for ActiveMQ alone
  broker_name                = "${var.name}-rabbitmq"
  engine_type                = "RabbitMQ"
  engine_version             = var.engine_version
  host_instance_type         = var.instance_type
  deployment_mode            = var.cluster_mode ? "CLUSTER_MULTI_AZ" : "SINGLE_INSTANCE"
  subnet_ids                 = var.cluster_mode ? var.subnet_ids : [var.subnet_ids[0]]
  security_groups            = [aws_security_group.this.id]
  publicly_accessible        = false
  auto_minor_version_upgrade = true
  apply_immediately          = false

  encryption_options {
    use_aws_owned_key = true
  }

  logs {
    general = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "06:30"
    time_zone   = "UTC"
  }

  user {
    username = var.username
    password = var.password
  }

  tags = var.tags
}
