//! msgpack helpers: every request, result and event crossing the C API is a
//! msgpack value, represented here by [`rmpv::Value`].

use crate::error::Error;
pub use rmpv::Value;

/// Builds a msgpack map with string keys, keeping the order given.
///
/// ```
/// use polygram::{map, Value};
/// let req = map([("_", Value::from("help.getNearestDc"))]);
/// assert_eq!(req["_"].as_str(), Some("help.getNearestDc"));
/// ```
pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
    Value::Map(pairs.into_iter().map(|(k, v)| (Value::from(k.into()), v)).collect())
}

/// Encodes a value as msgpack bytes.
pub fn to_msgpack(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    // Writing into a Vec cannot fail.
    rmpv::encode::write_value(&mut out, v).expect("msgpack encoding into a Vec");
    out
}

/// Decodes msgpack bytes into a value.
pub fn from_msgpack(mut b: &[u8]) -> Result<Value, Error> {
    let v = rmpv::decode::read_value(&mut b)
        .map_err(|e| Error::Decode(format!("malformed msgpack from the library: {e}")))?;
    Ok(v)
}

/// Field access on decoded maps, tolerant of missing keys.
pub(crate) trait Fields {
    fn field(&self, k: &str) -> Option<&Value>;
    fn str_of(&self, k: &str) -> String {
        self.field(k).and_then(Value::as_str).unwrap_or_default().to_owned()
    }
    fn i64_of(&self, k: &str) -> i64 {
        self.field(k).and_then(Value::as_i64).unwrap_or(0)
    }
    fn i32_of(&self, k: &str) -> i32 {
        self.i64_of(k) as i32
    }
    fn bool_of(&self, k: &str) -> bool {
        self.field(k).and_then(Value::as_bool).unwrap_or(false)
    }
    fn list_of(&self, k: &str) -> Vec<Value> {
        self.field(k).and_then(Value::as_array).cloned().unwrap_or_default()
    }
}

impl Fields for Value {
    fn field(&self, k: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(key, _)| key.as_str() == Some(k))
            .map(|(_, v)| v)
            .filter(|v| !v.is_nil())
    }
}

/// Reads an integer result field, or reports a malformed answer.
pub(crate) fn req_i64(v: &Value, k: &str) -> Result<i64, Error> {
    v.field(k)
        .and_then(Value::as_i64)
        .ok_or_else(|| Error::Decode(format!("answer has no integer {k:?}: {v}")))
}
