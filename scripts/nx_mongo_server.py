#!/usr/bin/env python3
"""Launch the local MongoDB wire-protocol server (nx-27017) for tests and the demo.

nx-27017 0.8.1 stores documents as JSON in SQLite and its JSON encoder does not
know BSON Decimal128, so any insert holding one fails. Real MongoDB stores
Decimal128 natively, and the EnergizeTech contract keeps money in it, so this
launcher teaches the server to store a Decimal128 as {"$numberDecimal": "<digits>"}
and to hand it back as a Decimal128 on reads, then runs the server's normal
entry point with the given arguments. Nothing in energize depends on this: it
only makes the test server able to hold what real MongoDB holds.
"""
import sys
from decimal import Decimal as PyDecimal

from bson import Decimal128
from neosqlite.collection import json_helpers
from nx_27017 import wire_protocol
from nx_27017.nx_27017 import main

_encode_default = json_helpers.NeoSQLiteJSONEncoder.default


def _default(self, obj):
    if isinstance(obj, Decimal128):
        return {"$numberDecimal": str(obj)}
    return _encode_default(self, obj)


json_helpers.NeoSQLiteJSONEncoder.default = _default

_to_wire = wire_protocol._convert_objectids


def _restore_decimals(value):
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("$numberDecimal"), str):
            return Decimal128(value["$numberDecimal"])
        return {k: _restore_decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_decimals(v) for v in value]
    return value


def _convert_for_wire(document):
    return _restore_decimals(_to_wire(document))


wire_protocol._convert_objectids = _convert_for_wire

if __name__ == "__main__":
    sys.argv[0] = "nx-27017"
    sys.exit(main())
