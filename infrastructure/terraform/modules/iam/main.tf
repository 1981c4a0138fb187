# IRSA: one role per Kubernetes service account, each trusted only by that service account
# of the cluster's OIDC provider, each with the least access its pods need.
locals {
  service_accounts = {
    # API: presigns uploads and downloads, reads bytes on confirm, deletes images,
    # regenerates a description on request.
    api = { namespace = var.namespace, name = "imagineai-api", s3 = "read-write", bedrock = true }
    # Workers: read images for analysis, write derived data, generate descriptions.
    worker = { namespace = var.namespace, name = "imagineai-worker", s3 = "read-write", bedrock = true }
    # Admin panel: shows images and removes them on staff request.
    admin = { namespace = var.namespace, name = "imagineai-admin", s3 = "read-delete", bedrock = false }
  }

  s3_object_actions = {
    "read-write"  = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    "read-delete" = ["s3:GetObject", "s3:DeleteObject"]
  }

  bedrock_model_arns = [
    for model_id in var.bedrock_model_ids :
    "arn:aws:bedrock:${var.bedrock_region}::foundation-model/${model_id}"
  ]
}

data "aws_iam_policy_document" "assume" {
  for_each = local.service_accounts

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.name}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "service_account" {
  for_each = local.service_accounts

  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume[each.key].json

  tags = var.tags
}

data "aws_iam_policy_document" "service_account" {
  for_each = local.service_accounts

  statement {
    sid       = "ListImages"
    actions   = ["s3:ListBucket"]
    resources = [var.images_bucket_arn]
  }

  statement {
    sid       = "ImageObjects"
    actions   = local.s3_object_actions[each.value.s3]
    resources = ["${var.images_bucket_arn}/*"]
  }

  statement {
    sid       = "ImageEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }

  dynamic "statement" {
    for_each = each.value.bedrock ? [1] : []

    content {
      sid       = "InvokeDescriptionModel"
      actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      resources = local.bedrock_model_arns
    }
  }
}

resource "aws_iam_policy" "service_account" {
  for_each = local.service_accounts

  name        = "${var.name}-${each.key}"
  description = "Least-privilege access of the ${each.value.name} service account"
  policy      = data.aws_iam_policy_document.service_account[each.key].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "service_account" {
  for_each = local.service_accounts

  role       = aws_iam_role.service_account[each.key].name
  policy_arn = aws_iam_policy.service_account[each.key].arn
}

# The External Secrets Operator reads the application secret from Secrets Manager and writes
# the Kubernetes Secret imagineai-secrets; nothing else may read it.
data "aws_iam_policy_document" "external_secrets_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.external_secrets_namespace}:${var.external_secrets_service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "external_secrets" {
  name               = "${var.name}-external-secrets"
  assume_role_policy = data.aws_iam_policy_document.external_secrets_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "external_secrets" {
  statement {
    sid       = "ReadApplicationSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [var.app_secret_arn]
  }

  statement {
    sid       = "DecryptApplicationSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "external_secrets" {
  name        = "${var.name}-external-secrets"
  description = "Read the ImagineAI application secret"
  policy      = data.aws_iam_policy_document.external_secrets.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "external_secrets" {
  role       = aws_iam_role.external_secrets.name
  policy_arn = aws_iam_policy.external_secrets.arn
}
