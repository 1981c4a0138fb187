data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:this is a key policy: Resource "*" means this key alone, and the account-root statement is AWS's default that lets IAM policies delegate use
  #checkov:skip=CKV_AWS_111:this is a key policy: Resource "*" means this key alone, and the account-root statement is AWS's default that lets IAM policies delegate use
  #checkov:skip=CKV_AWS_356:this is a key policy: Resource "*" means this key alone, and the account-root statement is AWS's default that lets IAM policies delegate use
  # Key administration stays with the account; IAM policies grant use.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts the EKS, VPC flow-log and ElastiCache log groups with this key.
  statement {
    sid = "CloudWatchLogs"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
}

# One customer-managed key per environment encrypts every store at rest.
resource "aws_kms_key" "this" {
  description             = "ImagineAI ${var.environment}: data at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}
