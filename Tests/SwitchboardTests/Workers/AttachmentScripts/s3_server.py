"""The S3 server the object-storage tests keep files in: moto's (from .build/python-tools), on 127.0.0.1.

usage: s3_server.py RECORDING [--port PORT] [--open]

Moto keeps its state in memory. Its recorder appends every request it answers to RECORDING; started again
on a RECORDING that has requests, the server replays them (moto's own replay) before it answers anyone,
which is how the files survive a restart of the server. Random ids are seeded the same way each time, so
the replayed IAM user gets the same key and the replayed uploads' signatures still hold.

Unless --open, moto checks every request's signature (botocore's SigV4, computed from the IAM user's secret)
once the three IAM calls below have made the user: a request signed with another secret is refused with
SignatureDoesNotMatch. Moto cannot check a presigned link (with checking on it fails them all), so the
tests that fetch one run --open, where any key is taken.

Prints "PORT ACCESS_KEY_ID SECRET_ACCESS_KEY" once the bucket "switchboard-files" exists and the server
answers; then serves until it is killed.
"""

import argparse
import os
import sys

parser = argparse.ArgumentParser()
parser.add_argument("recording")
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--open", action="store_true")
arguments = parser.parse_args()

# Read by moto when it is imported.
os.environ["MOTO_ENABLE_RECORDING"] = "True"
os.environ["MOTO_RECORDER_FILEPATH"] = arguments.recording
if not arguments.open:
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"

import boto3  # noqa: E402
import requests  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402

BUCKET = "switchboard-files"
OPEN_KEY = ("AKIAOPENTESTKEY00001", "open-secret-any-key-is-taken-here")

replaying = os.path.exists(arguments.recording) and os.path.getsize(arguments.recording) > 0
server = ThreadedMotoServer(ip_address="127.0.0.1", port=arguments.port, verbose=False)
server.start()
port = server.get_host_and_port()[1]
endpoint = f"http://127.0.0.1:{port}"
requests.post(f"{endpoint}/moto-api/seed?a=20").raise_for_status()
if replaying:
    requests.post(f"{endpoint}/moto-api/recorder/replay-recording").raise_for_status()


def client(service, key):
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key[0],
        aws_secret_access_key=key[1])


key = OPEN_KEY
if not arguments.open:
    iam = client("iam", ("AKIASETUP", "setup"))
    if replaying:
        key = None
    else:
        iam.create_user(UserName="switchboard")
        made = iam.create_access_key(UserName="switchboard")["AccessKey"]
        iam.put_user_policy(
            UserName="switchboard", PolicyName="files",
            PolicyDocument='{"Version": "2012-10-17", "Statement": '
            '[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
        key = (made["AccessKeyId"], made["SecretAccessKey"])
if not replaying:
    client("s3", key).create_bucket(Bucket=BUCKET)
print(port, *(key or ("-", "-")), flush=True)
sys.stdin.read()
