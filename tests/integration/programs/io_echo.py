"""Echoes stdin to stdout and stderr (as bytes), then exits with argv[1]."""
import sys

data = sys.stdin.buffer.read()
sys.stdout.buffer.write(b"out:" + data)
sys.stdout.flush()
sys.stderr.buffer.write(b"err:" + data)
sys.stderr.flush()
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
