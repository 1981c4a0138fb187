output "service_account_role_arns" {
  description = "IRSA role ARN per service account name (eks.amazonaws.com/role-arn annotation)."
  value = {
    for key, account in local.service_accounts :
    account.name => aws_iam_role.service_account[key].arn
  }
}

output "external_secrets_role_arn" {
  description = "IRSA role of the External Secrets Operator."
  value       = aws_iam_role.external_secrets.arn
}
