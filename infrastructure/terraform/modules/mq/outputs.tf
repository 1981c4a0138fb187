output "amqps_endpoint" {
  description = "amqps://host:5671 of the broker."
  value       = aws_mq_broker.this.instances[0].endpoints[0]
}

output "username" {
  description = "Broker user of the application."
  value       = var.username
}

output "security_group_id" {
  description = "Security group of the broker."
  value       = aws_security_group.this.id
}
