//! The OpenAPI 3.1 document of the HTTP API, served at `/openapi.json` and committed as
//! docs/openapi.json (`depproof serve --openapi` prints it). Request bodies are described
//! by the schemas of the types the server reads them into.

use depproof_extract::scan::SourceKind;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use crate::http::CheckRequest;

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn ok_response(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

/// The document.
pub fn document() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas/".into();
            s.meta_schema = None;
        })
        .into_generator();
    let check_request = generator.subschema_for::<CheckRequest>();
    let mut schemas = serde_json::Map::from_iter(generator.take_definitions(true));
    let kinds: Vec<&str> = SourceKind::NAMES.to_vec();
    schemas.insert(
        "ScanTextRequest".into(),
        json!({
            "type": "object",
            "description": "A snippet, a file or a model's whole answer, read as `kind`.",
            "properties": {
                "text": { "type": "string", "description": "The text to scan." },
                "kind": {
                    "type": "string",
                    "enum": kinds,
                    "default": "markdown",
                    "description": "How to read `text`: `markdown` (also a model's plain answer), a language, or a manifest or lockfile kind."
                }
            },
            "required": ["text"],
            "additionalProperties": false
        }),
    );
    schemas.insert(
        "ScanFilesRequest".into(),
        json!({
            "type": "object",
            "description": "Files scanned together as one project: each is read by its path, and imports resolve against the manifests sent.",
            "properties": {
                "files": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {
                        "type": "object",
                        "properties": {
                            "path": {
                                "type": "string",
                                "description": "Relative, with `/` between directories (no `..`, no leading `/`, no backslash or NUL); unique, and never both a file and a directory.",
                                "minLength": 1,
                                "maxLength": 1024
                            },
                            "text": { "type": "string" }
                        },
                        "required": ["path", "text"],
                        "additionalProperties": false
                    }
                }
            },
            "required": ["files"],
            "additionalProperties": false
        }),
    );
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {
                            "type": "string",
                            "enum": ["malformed_json", "invalid_request", "too_many_names", "body_too_large", "unreadable_body", "unsupported_media_type", "bad_archive", "unauthorized", "not_found", "method_not_allowed", "timeout", "internal"]
                        },
                        "message": { "type": "string" }
                    },
                    "required": ["code", "message"]
                }
            },
            "required": ["error"]
        }),
    );
    schemas.insert(
        "CheckReport".into(),
        json!({
            "type": "object",
            "description": "The document of `depproof check --format json`; its full schema is docs/schema/check-v2.json.",
            "properties": {
                "schema_version": { "const": 2 },
                "tool": { "type": "object" },
                "snapshots": { "type": "array", "items": { "type": "object" } },
                "overlays": { "type": "array", "items": { "type": "object" } },
                "fail_on": { "enum": ["block", "warn", "never"] },
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": { "type": "string" },
                            "status": { "enum": ["exists", "does_not_exist", "unknown", "not_found", "invalid"] },
                            "verdict": { "enum": ["ok", "warn", "block", null] },
                            "ecosystems": { "type": "array", "items": { "type": "object" } },
                            "suggestions": { "type": "array", "items": { "type": "object" } },
                            "findings": { "type": "array", "items": { "type": "object" } }
                        },
                        "required": ["name", "status", "verdict", "ecosystems", "suggestions", "findings"]
                    }
                },
                "summary": { "type": "object" }
            },
            "required": ["schema_version", "tool", "snapshots", "overlays", "results", "summary"]
        }),
    );
    schemas.insert(
        "ScanReport".into(),
        json!({
            "type": "object",
            "description": "The document of `depproof scan --format json`; its full schema is docs/schema/scan-v2.json.",
            "properties": {
                "schema_version": { "const": 2 },
                "tool": { "type": "object" },
                "snapshots": { "type": "array", "items": { "type": "object" } },
                "overlays": { "type": "array", "items": { "type": "object" } },
                "findings": { "type": "array", "items": { "type": "object" } },
                "not_registry": { "type": "array" },
                "diagnostics": { "type": "array" },
                "summary": { "type": "object" }
            },
            "required": ["schema_version", "tool", "snapshots", "overlays", "findings", "not_registry", "diagnostics", "summary"]
        }),
    );
    schemas.insert(
        "Snapshots".into(),
        json!({
            "type": "object",
            "description": "The snapshots and overlays answers come from, as the reports' `snapshots` and `overlays` show them.",
            "properties": {
                "tool": { "type": "object" },
                "snapshots": { "type": "array", "items": { "type": "object" } },
                "overlays": { "type": "array", "items": { "type": "object" } }
            },
            "required": ["tool", "snapshots", "overlays"]
        }),
    );
    schemas.insert(
        "Health".into(),
        json!({
            "type": "object",
            "properties": { "status": { "const": "ok" } },
            "required": ["status"]
        }),
    );
    let optional_auth = json!([{}, { "bearer": [] }]);
    let common_errors = |extra: &[(&str, &str)]| {
        let mut m = serde_json::Map::new();
        m.insert(
            "401".into(),
            error_response("A token is required (`DEPPROOF_API_TOKEN` is set) and was not given."),
        );
        m.insert("503".into(), error_response("The request took too long."));
        for (code, description) in extra {
            m.insert((*code).into(), error_response(description));
        }
        m
    };
    let body_errors = [
        ("400", "The body is not JSON, or not a readable archive."),
        ("413", "The body is larger than the server accepts."),
        ("415", "The body is of a type not read here."),
        (
            "422",
            "The body is JSON of the wrong shape: a missing or unknown field, a wrong type, an unknown ecosystem or kind, too many names.",
        ),
    ];
    let mut check_responses = common_errors(&body_errors);
    check_responses.insert(
        "200".into(),
        ok_response("One result per name, in the order given.", "CheckReport"),
    );
    let mut scan_responses = common_errors(&body_errors);
    scan_responses.insert(
        "200".into(),
        ok_response(
            "Every package referred to, each with its verdict.",
            "ScanReport",
        ),
    );
    let mut snapshot_responses = common_errors(&[]);
    snapshot_responses.insert(
        "200".into(),
        ok_response("Where the answers come from.", "Snapshots"),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "depproof",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Whether package names exist on PyPI and npm, how established they are, and what was probably meant; answered offline from registry snapshots. See docs/api.md.",
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" }
        },
        "paths": {
            "/v1/check": {
                "post": {
                    "operationId": "check",
                    "summary": "Check package names",
                    "description": "The answer `depproof check --format json` gives for the names: where each exists, how established it is, suggestions for a name that does not exist, and the verdict with its signals.",
                    "security": optional_auth,
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": check_request } }
                    },
                    "responses": check_responses
                }
            },
            "/v1/scan": {
                "post": {
                    "operationId": "scan",
                    "summary": "Scan text or files for package references",
                    "description": "The answer `depproof scan --format json` gives: every package a snippet, a model's answer or a set of files refers to (imports, install commands, manifests, lockfiles), each with its verdict and the lines that refer to it. Send JSON, or a zip archive of files.",
                    "security": optional_auth,
                    "requestBody": {
                        "required": true,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        { "$ref": "#/components/schemas/ScanTextRequest" },
                                        { "$ref": "#/components/schemas/ScanFilesRequest" }
                                    ]
                                }
                            },
                            "application/zip": {
                                "schema": { "type": "string", "contentMediaType": "application/zip" }
                            }
                        }
                    },
                    "responses": scan_responses
                }
            },
            "/v1/snapshots": {
                "get": {
                    "operationId": "snapshots",
                    "summary": "The snapshots and overlays answered from",
                    "security": optional_auth,
                    "responses": snapshot_responses
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "healthz",
                    "summary": "Whether the server answers",
                    "security": [],
                    "responses": { "200": ok_response("The server answers.", "Health") }
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": { "application/json": { "schema": { "type": "object" } } }
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Required when the server was started with `DEPPROOF_API_TOKEN` set: that value."
                }
            }
        }
    })
}
