"""Mints JSON Web Tokens and keys for the API tests with an implementation independent of Switchboard's
(PyJWT, and the `cryptography` package for keys).

    python3 mint.py keys DIR        writes rsa.pem, rsa.pub.pem, ec.pem, ec.pub.pem, rsa1024.pem and
                                    jwks.json (the RSA and EC public keys, kids rsa-1 and ec-1) into DIR
    python3 mint.py token < SPEC    prints the token SPEC describes (JSON on stdin):
        {"alg": "HS256" | "RS256" | "ES256", "key": a secret or a private key's PEM file,
         "claims": {...}, "headers": {...}}
        or, for the tokens no library makes on purpose, {"raw": "none" | "hmac-with-file", "key": ...,
        "claims": {...}, "headers": {...}}: an unsigned token, or one signed with HMAC-SHA256 keyed by
        the bytes of a file (a public key's PEM).
"""
import base64
import hashlib
import hmac
import json
import os
import sys

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def write_key(directory, name, key):
    with open(os.path.join(directory, name + ".pem"), "wb") as file:
        file.write(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with open(os.path.join(directory, name + ".pub.pem"), "wb") as file:
        file.write(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def keys(directory):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    write_key(directory, "rsa", rsa_key)
    write_key(directory, "ec", ec_key)
    write_key(directory, "rsa1024", rsa.generate_private_key(public_exponent=65537, key_size=1024))
    numbers = rsa_key.public_key().public_numbers()
    point = ec_key.public_key().public_numbers()
    document = {"keys": [
        {"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256",
         "n": b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
         "e": b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big"))},
        {"kty": "EC", "kid": "ec-1", "use": "sig", "crv": "P-256",
         "x": b64(point.x.to_bytes(32, "big")), "y": b64(point.y.to_bytes(32, "big"))},
    ]}
    with open(os.path.join(directory, "jwks.json"), "w") as file:
        json.dump(document, file)


def key_material(key):
    if os.path.exists(key):
        with open(key, "rb") as file:
            return file.read()
    return key


def token(spec):
    claims = spec.get("claims", {})
    headers = spec.get("headers", {})
    raw = spec.get("raw")
    if raw is None:
        return jwt.encode(claims, key_material(spec["key"]), algorithm=spec["alg"], headers=headers or None)
    header = {"alg": "none" if raw == "none" else "HS256", "typ": "JWT"}
    header.update(headers)
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    if raw == "none":
        return signing_input + "."
    mac = hmac.new(key_material(spec["key"]), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


if __name__ == "__main__":
    if sys.argv[1] == "keys":
        keys(sys.argv[2])
    else:
        print(token(json.load(sys.stdin)))
