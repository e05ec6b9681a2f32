"""Secrets at rest. API-key and signing-key secrets must be recoverable (they verify HS256
JWTs), so they are encrypted with a key derived from PARLOUR_SECRET_KEY rather than hashed."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet


def _fernet(server_key: str) -> Fernet:
    digest = hashlib.sha256(b"parlour-sealing:" + server_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(server_key: str, secret: str) -> str:
    return _fernet(server_key).encrypt(secret.encode()).decode()


def unseal(server_key: str, sealed: str) -> str:
    return _fernet(server_key).decrypt(sealed.encode()).decode()


def digest(value: str) -> str:
    """For high-entropy tokens (client tokens) a plain SHA-256 is enough to store them."""
    return hashlib.sha256(value.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
