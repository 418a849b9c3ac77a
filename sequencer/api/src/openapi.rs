//! The OpenAPI 3.0 document served at `GET /v0/openapi.json`, written by hand as one
//! `serde_json::json!` value. `tests/openapi.rs` checks that its `paths` are exactly
//! [`crate::routes`] and that it lists every [`ErrorCode`].

use serde_json::{json, Map, Value};

use crate::error::ErrorCode;
use crate::MAX_LEAVES_PER_REQUEST;

/// The document (OpenAPI 3.0.3).
#[must_use]
pub fn document() -> Value {
    use ErrorCode::*;
    let lookup = [BadRequest, NotFound, StorageUnavailable, Internal];
    let with_data = [BadRequest, NotFound, Pruned, StorageUnavailable, Internal];
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "sq-api",
            "version": "0",
            "description": "HotShot-style sequencer node API. Byte strings and commitments are 0x-prefixed hex; heights, views and namespaces are u64; times are Unix milliseconds. Every error body is {\"code\", \"message\"} with a stable code (see components.schemas.Error)."
        },
        "paths": {
            "/v0/status": {"get": op("Node status", vec![], "Status", &[])},
            "/v0/status/metrics": {"get": text_op("Prometheus metrics (OpenMetrics text format 1.0.0)")},
            "/metrics": {"get": text_op("Prometheus metrics (OpenMetrics text format 1.0.0)")},
            "/v0/availability/leaf/{height}": {"get": op(
                "The decided leaf at a height with its certifying QC",
                vec![param("height", "path", "Block height", "integer")],
                "Leaf", &lookup)},
            "/v0/availability/leaves": {"get": op(
                "Up to `limit` stored leaves with height >= `from`, ascending (heights absent from storage are skipped)",
                vec![
                    param("from", "query", "Lowest height", "integer"),
                    json!({"name": "limit", "in": "query", "required": false,
                           "description": format!("Most leaves to return, at most {MAX_LEAVES_PER_REQUEST} (default {MAX_LEAVES_PER_REQUEST}); above that: bad_request"),
                           "schema": {"type": "integer", "minimum": 0, "maximum": MAX_LEAVES_PER_REQUEST}}),
                ],
                "LeafList", &[BadRequest, StorageUnavailable, Internal])},
            "/v0/availability/header/{height}": {"get": op(
                "The header at a height",
                vec![param("height", "path", "Block height", "integer")],
                "Header", &lookup)},
            "/v0/availability/payload/{height}": {"get": op(
                "The block payload at a height",
                vec![param("height", "path", "Block height", "integer")],
                "Payload", &with_data)},
            "/v0/availability/block/{height}": {"get": op(
                "Header, payload and transactions of a block",
                vec![param("height", "path", "Block height", "integer")],
                "Block", &with_data)},
            "/v0/availability/block/{height}/namespace/{ns}": {"get": op(
                "One namespace's transactions with a NamespaceProof against the header's payload commitment; proof is null (and transactions empty) when the namespace is absent from the header's ns_table",
                vec![
                    param("height", "path", "Block height", "integer"),
                    param("ns", "path", "Namespace id", "integer"),
                ],
                "Namespace", &with_data)},
            "/v0/availability/transaction/hash/{hash}": {"get": op(
                "A decided transaction by hash (its first occurrence)",
                vec![param("hash", "path", "Transaction commitment, 32 bytes hex", "string")],
                "Transaction", &lookup)},
            "/v0/availability/transaction/{height}/{index}": {"get": op(
                "The transaction at an index of a block",
                vec![
                    param("height", "path", "Block height", "integer"),
                    param("index", "path", "Index in the block (payload order)", "integer"),
                ],
                "Transaction", &with_data)},
            "/v0/availability/vid/share/{height}": {"get": op(
                "This node's VID share and the VID common data of a block",
                vec![param("height", "path", "Block height", "integer")],
                "VidShare", &with_data)},
            "/v0/availability/stream/leaves/{from}": {"get": {
                "summary": "Server-Sent Events: one `leaf` event (id = height, data = Leaf JSON) per stored height from `from` upward, then each new one as it is stored; `error` events carry an Error body. Ends when the client disconnects.",
                "parameters": [
                    param("from", "path", "First height", "integer"),
                    optional(param("Last-Event-ID", "header", "Resume: the id (height) of the last event this client received; the stream starts after it when that is later than `from`. Ignored unless a decimal integer", "integer")),
                ],
                "responses": responses(
                    json!({"description": "An event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}),
                    &[BadRequest]),
            }},
            "/v0/submit": {"post": {
                "summary": "Submit a transaction to the mempool",
                "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("SubmitRequest")}}},
                "responses": responses(
                    json!({"description": "Queued", "content": {"application/json": {"schema": schema_ref("SubmitResponse")}}}),
                    &[BadRequest, UnknownNamespace, TransactionTooLarge, DuplicateTransaction, MempoolFull, RateLimited]),
            }},
            "/v0/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.0 document", "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": schemas()},
    })
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn param(name: &str, location: &str, description: &str, ty: &str) -> Value {
    let schema = if ty == "integer" {
        json!({"type": "integer", "minimum": 0})
    } else {
        json!({"type": ty})
    };
    json!({"name": name, "in": location, "required": true, "description": description, "schema": schema})
}

/// `parameter` with `required: false`.
fn optional(mut parameter: Value) -> Value {
    parameter["required"] = json!(false);
    parameter
}

/// A JSON GET operation returning `schema` on 200, with `errors`.
fn op(summary: &str, parameters: Vec<Value>, schema: &str, errors: &[ErrorCode]) -> Value {
    json!({
        "summary": summary,
        "parameters": parameters,
        "responses": responses(
            json!({"description": "OK", "content": {"application/json": {"schema": schema_ref(schema)}}}),
            errors),
    })
}

fn text_op(summary: &str) -> Value {
    json!({
        "summary": summary,
        "responses": {"200": {"description": "OK", "content": {"application/openmetrics-text": {"schema": {"type": "string"}}}}},
    })
}

/// `200: ok`, then one response per HTTP status among `errors`, naming its codes.
fn responses(ok: Value, errors: &[ErrorCode]) -> Value {
    let mut out = Map::new();
    out.insert("200".into(), ok);
    for code in errors {
        let status = code.status().as_u16().to_string();
        let codes: Vec<&str> = errors
            .iter()
            .filter(|c| c.status() == code.status())
            .map(|c| c.as_str())
            .collect();
        out.entry(status).or_insert_with(|| {
            json!({
                "description": format!("Error; code is one of: {}", codes.join(", ")),
                "content": {"application/json": {"schema": schema_ref("Error")}},
            })
        });
    }
    Value::Object(out)
}

fn hex(description: &str) -> Value {
    json!({"type": "string", "pattern": "^0x[0-9a-f]*$", "description": description})
}

fn uint(description: &str) -> Value {
    json!({"type": "integer", "minimum": 0, "description": description})
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

fn schemas() -> Value {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let header_props = json!({
        "height": uint("Block height"),
        "view": uint("View it was proposed in"),
        "hash": hex("Leaf (= header) commitment, 32 bytes"),
        "parent": hex("Parent leaf commitment, 32 bytes"),
        "payload_commitment": hex("VID payload commitment, 32 bytes"),
        "timestamp_ms": uint("Proposer's clock, Unix milliseconds"),
        "l1_head": uint("L1 block number the proposer had seen"),
        "ns_table": {"type": "array", "items": schema_ref("NsEntry")},
    });
    let header_fields = [
        "height",
        "view",
        "hash",
        "parent",
        "payload_commitment",
        "timestamp_ms",
        "l1_head",
        "ns_table",
    ];
    let mut leaf_props = header_props.clone();
    if let Value::Object(m) = &mut leaf_props {
        m.insert("qc".into(), schema_ref("Qc"));
        m.insert(
            "leaf_bytes".into(),
            hex("sq-types encoding of the Leaf (header ‖ justify QC)"),
        );
        m.insert(
            "qc_bytes".into(),
            hex("sq-types encoding of the certifying QuorumCertificate"),
        );
    }
    let mut leaf_fields = header_fields.to_vec();
    leaf_fields.extend(["qc", "leaf_bytes", "qc_bytes"]);
    json!({
        "Error": object(&["code", "message"], json!({
            "code": {"type": "string", "enum": codes, "description": "Stable machine-readable code"},
            "message": {"type": "string", "description": "Human-readable explanation"},
        })),
        "NsEntry": object(&["namespace", "end"], json!({
            "namespace": uint("Namespace id"),
            "end": uint("Exclusive end offset of the namespace's bytes in the payload"),
        })),
        "Header": object(&header_fields, header_props),
        "Qc": object(&["view", "height", "leaf", "signers", "signature"], json!({
            "view": uint("Certified leaf's view"),
            "height": uint("Certified leaf's height"),
            "leaf": hex("Certified leaf commitment"),
            "signers": hex("Signer bitmap bytes, bit i = node i, least significant bit first"),
            "signature": hex("96-byte aggregate BLS signature"),
        })),
        "Leaf": object(&leaf_fields, leaf_props),
        "LeafList": {"type": "array", "items": schema_ref("Leaf")},
        "Payload": object(&["height", "payload", "payload_commitment"], json!({
            "height": uint("Block height"),
            "payload": hex("Payload bytes"),
            "payload_commitment": hex("The header's payload commitment"),
        })),
        "BlockTransaction": object(&["index", "namespace", "hash", "payload"], json!({
            "index": uint("Position in the block"),
            "namespace": uint("Namespace id"),
            "hash": hex("Transaction commitment keccak256(namespace u64 BE ‖ payload)"),
            "payload": hex("Transaction payload"),
        })),
        "Block": object(&["header", "payload", "transactions"], json!({
            "header": schema_ref("Header"),
            "payload": hex("Payload bytes"),
            "transactions": {"type": "array", "items": schema_ref("BlockTransaction")},
        })),
        "Transaction": object(&["height", "index", "hash", "namespace", "payload"], json!({
            "height": uint("Height of the block holding it"),
            "index": uint("Index in that block"),
            "hash": hex("Transaction commitment"),
            "namespace": uint("Namespace id"),
            "payload": hex("Transaction payload"),
        })),
        "Namespace": object(&["height", "namespace", "transactions", "proof", "vid_common", "payload_commitment"], json!({
            "height": uint("Block height"),
            "namespace": uint("Namespace id"),
            "transactions": {"type": "array", "items": hex("Transaction payload")},
            "proof": {"type": "string", "nullable": true, "pattern": "^0x[0-9a-f]*$",
                      "description": "sq-da NamespaceProof encoding; null when the namespace is absent from the header's ns_table"},
            "vid_common": hex("sq-da VidCommon encoding (80 bytes)"),
            "payload_commitment": hex("The header's payload commitment"),
        })),
        "VidShare": object(&["height", "common", "share"], json!({
            "height": uint("Block height"),
            "common": hex("sq-da VidCommon encoding"),
            "share": hex("sq-da VidShare encoding of this node's share"),
        })),
        "SubmitRequest": object(&["namespace", "payload"], json!({
            "namespace": uint("Namespace id"),
            "payload": {"type": "string", "pattern": "^(0x)?[0-9a-fA-F]*$", "description": "Transaction payload, hex"},
        })),
        "SubmitResponse": object(&["commitment"], json!({
            "commitment": hex("Transaction commitment"),
        })),
        "Status": object(&["block_height", "view", "node", "success_rate", "time_since_last_decide_ms", "last_leaf", "decided_blocks", "decided_transactions", "proposals_rejected", "stored_height"], json!({
            "block_height": uint("Height of the last decided leaf"),
            "view": uint("Current view"),
            "node": uint("This node's index in the stake table"),
            "success_rate": {"type": "number", "minimum": 0, "maximum": 1, "description": "Decided leaves per view"},
            "time_since_last_decide_ms": {"type": "integer", "nullable": true, "description": "Milliseconds since the last decide; null before the first"},
            "last_leaf": {"type": "string", "description": "Commitment of the last decided leaf"},
            "decided_blocks": uint("Leaves decided since start"),
            "decided_transactions": uint("Transactions decided since start"),
            "proposals_rejected": uint("Proposals this node did not vote for"),
            "stored_height": uint("Highest height in storage"),
        })),
    })
}
