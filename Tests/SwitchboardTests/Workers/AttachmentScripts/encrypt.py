"""Encrypts a file's bytes as WeCom's AI bot and WeChat's iLink CDN serve them, with `cryptography`
(independent of Switchboard's own decryption): reads base64 bytes on stdin, prints base64 ciphertext.

    encrypt.py wecom KEY_BASE64   AES-256-CBC, IV = the key's first 16 bytes, PKCS#7 padding to 32
    encrypt.py wechat KEY_HEX     AES-128-ECB, PKCS#7 padding to 16
"""
import base64
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def pad(data, block):
    count = block - len(data) % block
    return data + bytes([count]) * count


def main():
    scheme, key_text = sys.argv[1], sys.argv[2]
    plain = base64.b64decode(sys.stdin.read())
    if scheme == "wecom":
        key = base64.b64decode(key_text + "=" * (-len(key_text) % 4))
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        cipher = encryptor.update(pad(plain, 32)) + encryptor.finalize()
    elif scheme == "wechat":
        encryptor = Cipher(algorithms.AES(bytes.fromhex(key_text)), modes.ECB()).encryptor()
        cipher = encryptor.update(pad(plain, 16)) + encryptor.finalize()
    else:
        sys.exit("unknown scheme " + scheme)
    print(base64.b64encode(cipher).decode())


main()
