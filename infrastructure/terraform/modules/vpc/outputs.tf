output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets (load balancers)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (EKS nodes)."
  value       = aws_subnet.private[*].id
}

output "data_subnet_ids" {
  description = "Isolated subnets (RDS, ElastiCache, Amazon MQ)."
  value       = aws_subnet.data[*].id
}
