from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from backend.domain.auth import service as auth_service
from backend.shared.config import get_settings
from backend.shared.db.session import session_scope
from tests.factories import DEFAULT_PASSWORD
from tests.fastapi_app.conftest import ApiUser, register_and_login


def _problem(response_json: dict[str, object], code: str) -> None:
    assert response_json["code"] == code
    assert response_json["type"] == f"https://imagineai.dev/problems/{code}"
    assert response_json["request_id"]


def test_register_normalises_email_and_hides_the_hash(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "  Carol@Example.COM ", "password": DEFAULT_PASSWORD, "full_name": "Carol"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "carol@example.com"
    assert "hashed_password" not in body
    assert body["is_staff"] is False


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "weak_password"),
        ("dave@example.com", "weak_password"),
        ("é" * 40, "password_too_long"),
    ],
)
def test_password_policy(client: TestClient, password: str, code: str) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "dave@example.com", "password": password}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    _problem(response.json(), code)


def test_duplicate_email_is_a_conflict_whatever_the_case(
    client: TestClient, alice: ApiUser
) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "ALICE@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 409
    _problem(response.json(), "email_taken")


def test_login_me_and_wrong_password(client: TestClient, alice: ApiUser) -> None:
    me = client.get("/api/v1/auth/me", headers=alice.headers)
    assert me.status_code == 200
    assert me.json()["email"] == "alice@example.com"
    assert me.json()["last_login"] is not None
    wrong = client.post(
        "/api/v1/auth/login", json={"email": "alice@example.com", "password": "not the password"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": DEFAULT_PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_refresh_rotates_and_a_reused_token_ends_the_login(
    client: TestClient, alice: ApiUser
) -> None:
    first = client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert first.status_code == 200
    rotated = first.json()["refresh_token"]
    assert rotated != alice.refresh_token
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert reused.status_code == 401
    _problem(reused.json(), "token_reused")
    # The reuse revoked the whole family, including the token issued by the rotation.
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": rotated})
    assert after.status_code == 401


def test_logout_revokes_the_refresh_token(client: TestClient, alice: ApiUser) -> None:
    assert (
        client.post("/api/v1/auth/logout", json={"refresh_token": alice.refresh_token}).status_code
        == 204
    )
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert response.status_code == 401


def _forge(claims: dict[str, object], *, key: str | None = None, algorithm: str = "HS256") -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    base: dict[str, object] = {
        "sub": str(uuid.uuid4()),
        "typ": "access",
        "jti": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
        "iss": settings.jwt_issuer,
    }
    base.update(claims)
    return jwt.encode(base, key if key is not None else settings.jwt_secret, algorithm=algorithm)


def _me(client: TestClient, token: str) -> int:
    return client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_tokens_that_must_be_refused(client: TestClient, alice: ApiUser) -> None:
    user_id = client.get("/api/v1/auth/me", headers=alice.headers).json()["id"]
    now = datetime.now(UTC)
    header, payload, _signature = alice.access_token.split(".")
    tampered = f"{header}.{payload}.{'A' * 43}"
    unsigned = jwt.encode({"sub": user_id, "typ": "access"}, key="", algorithm="none")
    assert _me(client, alice.access_token) == 200
    assert _me(client, tampered) == 401
    assert _me(client, unsigned) == 401
    assert _me(client, _forge({"sub": user_id}, key="another-secret-of-enough-length-here")) == 401
    assert _me(client, _forge({"sub": user_id, "exp": now - timedelta(seconds=5)})) == 401
    assert _me(client, _forge({"sub": user_id, "nbf": now + timedelta(minutes=5)})) == 401
    assert _me(client, _forge({"sub": user_id, "iss": "someone-else"})) == 401
    assert _me(client, _forge({"sub": user_id, "typ": "refresh"})) == 401
    assert _me(client, alice.refresh_token) == 401
    assert _me(client, _forge({"sub": user_id}, algorithm="HS512")) == 401
    assert _me(client, _forge({"sub": user_id})) == 200


def test_deactivated_user_loses_access_at_once(client: TestClient, alice: ApiUser) -> None:
    user_id = uuid.UUID(client.get("/api/v1/auth/me", headers=alice.headers).json()["id"])
    with session_scope() as session:
        auth_service.deactivate(session, user_id=user_id)
    assert client.get("/api/v1/auth/me", headers=alice.headers).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert refresh.status_code == 401
    login = client.post(
        "/api/v1/auth/login", json={"email": alice.email, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 401


def test_brute_force_hits_the_rate_limit(client: TestClient, alice: ApiUser) -> None:
    limit = get_settings().login_attempts_per_email
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"email": alice.email, "password": f"guess-number-{i}"}
        ).status_code
        for i in range(limit + 2)
    ]
    assert statuses[:limit] == [401] * limit
    assert statuses[-1] == 429
    blocked = client.post(
        "/api/v1/auth/login", json={"email": alice.email, "password": DEFAULT_PASSWORD}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


def test_missing_token_is_a_problem_response(client: TestClient) -> None:
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == response.json()["request_id"]


def test_second_user_is_independent(client: TestClient, alice: ApiUser) -> None:
    bob = register_and_login(client, "bob@example.com")
    assert client.get("/api/v1/auth/me", headers=bob.headers).json()["email"] == "bob@example.com"


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hmac_token(header: dict[str, object], claims: dict[str, object], key: bytes) -> str:
    """A JWT signed with HMAC-SHA256 over any key bytes (PyJWT refuses PEM keys as HMAC
    secrets, which is exactly what the confusion attack does)."""
    signing_input = (
        f"{_segment(json.dumps(header).encode())}.{_segment(json.dumps(claims).encode())}"
    )
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_segment(signature)}"


def _valid_claims(user_id: str) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    return {
        "sub": user_id,
        "typ": "access",
        "jti": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "iss": get_settings().jwt_issuer,
    }


def test_asymmetric_and_algorithm_confusion_tokens_are_refused(
    client: TestClient, alice: ApiUser
) -> None:
    """HS/RS confusion: tokens signed with the attacker's own key pair (RS256, ES256, also
    with the public key embedded as a ``jwk`` header), and HS256 tokens whose HMAC key is a
    public key PEM, all carrying otherwise perfect claims for a real user."""
    user_id = client.get("/api/v1/auth/me", headers=alice.headers).json()["id"]
    claims = _valid_claims(user_id)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    rsa_public_openssh = rsa_key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    embedded_jwk = json.loads(RSAAlgorithm.to_jwk(rsa_key.public_key()))
    forged = {
        "RS256 with the attacker's key": jwt.encode(claims, rsa_key, algorithm="RS256"),
        "RS256 with the key in a jwk header": jwt.encode(
            claims, rsa_key, algorithm="RS256", headers={"jwk": embedded_jwk}
        ),
        "PS256": jwt.encode(claims, rsa_key, algorithm="PS256"),
        "ES256": jwt.encode(claims, ec_key, algorithm="ES256"),
        "HS256 keyed with a public key PEM": _hmac_token(
            {"alg": "HS256", "typ": "JWT"}, claims, rsa_public_pem
        ),
        "HS256 keyed with an OpenSSH public key": _hmac_token(
            {"alg": "HS256", "typ": "JWT"}, claims, rsa_public_openssh
        ),
        "HS256 keyed with the empty string": _hmac_token(
            {"alg": "HS256", "typ": "JWT"}, claims, b""
        ),
        "RS256 header over an HMAC of the secret": _hmac_token(
            {"alg": "RS256", "typ": "JWT"}, claims, get_settings().jwt_secret.encode()
        ),
    }
    answers = {name: _me(client, token) for name, token in forged.items()}
    assert answers == dict.fromkeys(forged, 401)
    # The same claims signed the way the server signs are accepted: the refusals above come
    # from the algorithm and key, not from the claims.
    genuine = _hmac_token(
        {"alg": "HS256", "typ": "JWT"}, claims, get_settings().jwt_secret.encode()
    )
    assert _me(client, genuine) == 200
