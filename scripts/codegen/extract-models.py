#!/usr/bin/env python3
"""Copies the parts of botocore's AWS service models that rolecall serves into models/<service>.json.

The models are Apache-2.0 (see models/NOTICE). Only the listed operations and the shapes they reach are kept,
without documentation, so the committed data stays small and reviewable; `npm run codegen` turns them into
TypeScript. Run with the botocore of the preinstalled python3 or Debian's python3-botocore.
"""
import gzip
import json
import os
import sys

import botocore

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(botocore.__file__), "data")
DROP = {"documentation", "documentationUrl", "deprecatedMessage", "box"}


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in DROP}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def reach(shapes, name, seen):
    if name in seen:
        return
    seen.add(name)
    shape = shapes[name]
    for ref in shape.get("members", {}).values():
        reach(shapes, ref["shape"], seen)
    for key in ("member", "key", "value"):
        if key in shape:
            reach(shapes, shape[key]["shape"], seen)


def extract(service, spec):
    path = os.path.join(DATA, spec["model"], "service-2.json.gz")
    with gzip.open(path) as f:
        model = json.load(f)
    ops, seen = {}, set()
    for name in spec["operations"]:
        op = strip(model["operations"][name])
        ops[name] = op
        for key in ("input", "output"):
            if key in op:
                reach(model["shapes"], op[key]["shape"], seen)
        for err in op.get("errors", []):
            reach(model["shapes"], err["shape"], seen)
    keys = ("apiVersion", "endpointPrefix", "protocol", "serviceId", "xmlNamespace", "targetPrefix", "jsonVersion")
    meta = {k: model["metadata"][k] for k in keys if k in model["metadata"]}
    meta["source"] = "botocore %s data/%s/service-2.json" % (botocore.__version__, spec["model"])
    out = {"metadata": meta, "operations": ops, "shapes": {n: strip(model["shapes"][n]) for n in sorted(seen)}}
    with open(os.path.join(ROOT, "models", service + ".json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("models/%s.json: %d operations, %d shapes" % (service, len(ops), len(seen)))


def main():
    with open(os.path.join(ROOT, "scripts", "codegen", "operations.json")) as f:
        wanted = json.load(f)
    for service in sys.argv[1:] or sorted(wanted):
        extract(service, wanted[service])


main()
