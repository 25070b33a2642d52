//! A decoder written for the heartbeat's types alone, as a generator could emit one per payload
//! type: no serde in between, keys matched by the struct's own code, strings scanned eight bytes
//! at a time. A measurement of what such a decoder would buy, not a product: it refuses what it
//! does not expect (escapes in keys, unknown keys) instead of reporting it.

use std::collections::BTreeMap;

use wasmcloud_protocol::lattice_events::types::{
    CloudEventEnvelopeDatacontenttype, CloudEventEnvelopeSpecversion, CloudEventEnvelopeTime,
    ComponentDescription, HostHeartbeatPayload, HostHeartbeatPayloadType, HostInventory,
    ProviderDescription,
};

pub struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

type R<T> = Result<T, ()>;

impl<'a> Reader<'a> {
    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if c == b' ' || c == b'\n' || c == b'\t' || c == b'\r' {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn peek(&mut self) -> R<u8> {
        self.ws();
        self.b.get(self.i).copied().ok_or(())
    }

    #[inline]
    fn eat(&mut self, c: u8) -> R<()> {
        if self.peek()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    /// The raw text of a string without escapes (the common case); an escape goes the slow way.
    #[inline]
    fn raw_str(&mut self) -> R<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = &self.b[start..];
        const ONES: u64 = u64::MAX / 255;
        let mut at = 0;
        while at + 8 <= rest.len() {
            let c = u64::from_le_bytes(rest[at..at + 8].try_into().unwrap());
            let ctrl = c.wrapping_sub(ONES * 0x20) & !c;
            let q = c ^ (ONES * b'"' as u64);
            let q = q.wrapping_sub(ONES) & !q;
            let s = c ^ (ONES * b'\\' as u64);
            let s = s.wrapping_sub(ONES) & !s;
            let m = (ctrl | q | s) & (ONES << 7);
            if m != 0 {
                at += m.trailing_zeros() as usize / 8;
                return self.end_str(start, at);
            }
            at += 8;
        }
        while at < rest.len() && rest[at] >= 0x20 && rest[at] != b'"' && rest[at] != b'\\' {
            at += 1;
        }
        self.end_str(start, at)
    }

    #[inline]
    fn end_str(&mut self, start: usize, at: usize) -> R<&'a str> {
        if self.b.get(start + at) != Some(&b'"') {
            return Err(());
        }
        self.i = start + at + 1;
        // SAFETY: the whole body was checked to be UTF-8, and a string ends at an ASCII quote.
        Ok(unsafe { std::str::from_utf8_unchecked(&self.b[start..start + at]) })
    }

    #[inline]
    fn string(&mut self) -> R<String> {
        self.raw_str().map(str::to_owned)
    }

    #[inline]
    fn u64(&mut self) -> R<u64> {
        self.ws();
        let mut n: u64 = 0;
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            if !c.is_ascii_digit() {
                break;
            }
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add((c - b'0') as u64))
                .ok_or(())?;
            self.i += 1;
        }
        let len = self.i - start;
        if len == 0 || (len > 1 && self.b[start] == b'0') {
            return Err(());
        }
        match self.b.get(self.i) {
            Some(b'.' | b'e' | b'E') => Err(()),
            _ => Ok(n),
        }
    }

    fn null(&mut self) -> R<bool> {
        if self.peek()? == b'n' {
            if self.b.get(self.i..self.i + 4) == Some(b"null") {
                self.i += 4;
                return Ok(true);
            }
            return Err(());
        }
        Ok(false)
    }

    /// Calls `field` for each key of an object.
    #[inline]
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> R<()>) -> R<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Ok(());
        }
        loop {
            let key = self.raw_str()?;
            self.eat(b':')?;
            field(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(()),
            }
        }
    }

    #[inline]
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        if self.peek()? == b']' {
            self.i += 1;
            return Ok(out);
        }
        loop {
            out.push(item(self)?);
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Ok(out);
                }
                _ => return Err(()),
            }
        }
    }

    fn string_map(&mut self) -> R<BTreeMap<String, String>> {
        let mut map = BTreeMap::new();
        self.object(|r, k| {
            let v = r.string()?;
            if map.insert(k.to_owned(), v).is_some() {
                return Err(());
            }
            Ok(())
        })?;
        Ok(map)
    }

    fn optional_map(&mut self) -> R<Option<BTreeMap<String, String>>> {
        if self.null()? {
            Ok(None)
        } else {
            self.string_map().map(Some)
        }
    }
}

fn component(r: &mut Reader) -> R<ComponentDescription> {
    let mut c = ComponentDescription::default();
    r.object(|r, k| {
        match k {
            "annotations" => c.annotations = r.optional_map()?,
            "id" => c.id = r.string()?,
            "image_ref" => c.image_ref = r.string()?,
            "limits" => c.limits = r.optional_map()?,
            "max_instances" => c.max_instances = u32::try_from(r.u64()?).map_err(|_| ())?,
            "name" => c.name = if r.null()? { None } else { Some(r.string()?) },
            "revision" => c.revision = i32::try_from(r.u64()?).map_err(|_| ())?,
            _ => return Err(()),
        }
        Ok(())
    })?;
    Ok(c)
}

fn provider(r: &mut Reader) -> R<ProviderDescription> {
    let mut p = ProviderDescription::default();
    r.object(|r, k| {
        match k {
            "annotations" => p.annotations = r.optional_map()?,
            "id" => p.id = r.string()?,
            "image_ref" => p.image_ref = if r.null()? { None } else { Some(r.string()?) },
            "name" => p.name = if r.null()? { None } else { Some(r.string()?) },
            "revision" => p.revision = i32::try_from(r.u64()?).map_err(|_| ())?,
            _ => return Err(()),
        }
        Ok(())
    })?;
    Ok(p)
}

fn inventory(r: &mut Reader) -> R<HostInventory> {
    let (mut components, mut providers) = (None, None);
    let mut inv = HostInventory {
        components: Vec::new(),
        friendly_name: String::new(),
        host_id: String::new(),
        labels: BTreeMap::new(),
        providers: Vec::new(),
        uptime_human: String::new(),
        uptime_seconds: 0,
        version: String::new(),
    };
    r.object(|r, k| {
        match k {
            "components" => components = Some(r.array(component)?),
            "friendly_name" => inv.friendly_name = r.string()?,
            "host_id" => inv.host_id = r.string()?,
            "labels" => inv.labels = r.string_map()?,
            "providers" => providers = Some(r.array(provider)?),
            "uptime_human" => inv.uptime_human = r.string()?,
            "uptime_seconds" => inv.uptime_seconds = r.u64()?,
            "version" => inv.version = r.string()?,
            _ => return Err(()),
        }
        Ok(())
    })?;
    inv.components = components.ok_or(())?;
    inv.providers = providers.ok_or(())?;
    Ok(inv)
}

/// The heartbeat from bytes, or `Err(())` for anything it does not expect.
pub fn heartbeat(bytes: &[u8]) -> R<HostHeartbeatPayload> {
    let text = std::str::from_utf8(bytes).map_err(|_| ())?;
    let mut r = Reader {
        b: text.as_bytes(),
        i: 0,
    };
    let (mut data, mut dct, mut id, mut source, mut spec, mut time, mut ty) =
        (None, None, None, None, None, None, None);
    r.object(|r, k| {
        match k {
            "data" => data = Some(inventory(r)?),
            "datacontenttype" => {
                dct = Some(match r.raw_str()? {
                    "application/json" => CloudEventEnvelopeDatacontenttype::new(),
                    _ => return Err(()),
                })
            }
            "id" => id = Some(r.raw_str()?.parse::<uuid::Uuid>().map_err(|_| ())?),
            "source" => source = Some(r.string()?),
            "specversion" => {
                spec = Some(match r.raw_str()? {
                    "1.0" => CloudEventEnvelopeSpecversion::new(),
                    _ => return Err(()),
                })
            }
            "time" => {
                time = Some(CloudEventEnvelopeTime(
                    r.raw_str()?
                        .parse::<chrono::DateTime<chrono::Utc>>()
                        .map_err(|_| ())?,
                ))
            }
            "type" => {
                ty = Some(match r.raw_str()? {
                    "com.wasmcloud.lattice.host_heartbeat" => HostHeartbeatPayloadType::new(),
                    _ => return Err(()),
                })
            }
            _ => return Err(()),
        }
        Ok(())
    })?;
    r.ws();
    if r.i != r.b.len() {
        return Err(());
    }
    Ok(HostHeartbeatPayload {
        data: data.ok_or(())?,
        datacontenttype: dct.ok_or(())?,
        id: id.ok_or(())?,
        source: source.ok_or(())?,
        specversion: spec.ok_or(())?,
        time: time.ok_or(())?,
        type_: ty.ok_or(())?,
    })
}

/// The heartbeat as borrowed types would hold it: text as slices of the body, maps as lists of
/// pairs. Not a type of the crate: the measure of what owning every string costs.
#[allow(dead_code)] // read by no one: it is built to be measured
pub mod borrowed {
    use super::{Reader, R};

    #[derive(Default)]
    pub struct Component<'a> {
        pub annotations: Option<Vec<(&'a str, &'a str)>>,
        pub id: &'a str,
        pub image_ref: &'a str,
        pub limits: Option<Vec<(&'a str, &'a str)>>,
        pub max_instances: u32,
        pub name: Option<&'a str>,
        pub revision: i32,
    }

    #[derive(Default)]
    pub struct Provider<'a> {
        pub annotations: Option<Vec<(&'a str, &'a str)>>,
        pub id: &'a str,
        pub image_ref: Option<&'a str>,
        pub name: Option<&'a str>,
        pub revision: i32,
    }

    #[derive(Default)]
    pub struct Inventory<'a> {
        pub components: Vec<Component<'a>>,
        pub friendly_name: &'a str,
        pub host_id: &'a str,
        pub labels: Vec<(&'a str, &'a str)>,
        pub providers: Vec<Provider<'a>>,
        pub uptime_human: &'a str,
        pub uptime_seconds: u64,
        pub version: &'a str,
    }

    pub struct Heartbeat<'a> {
        pub data: Inventory<'a>,
        pub id: uuid::Uuid,
        pub source: &'a str,
        pub time: chrono::DateTime<chrono::Utc>,
    }

    fn pairs<'a>(r: &mut Reader<'a>) -> R<Vec<(&'a str, &'a str)>> {
        let mut out: Vec<(&'a str, &'a str)> = Vec::new();
        r.object(|r, k| {
            if out.iter().any(|(seen, _)| *seen == k) {
                return Err(());
            }
            let v = r.raw_str()?;
            out.push((k, v));
            Ok(())
        })?;
        Ok(out)
    }

    fn optional_pairs<'a>(r: &mut Reader<'a>) -> R<Option<Vec<(&'a str, &'a str)>>> {
        if r.null()? {
            Ok(None)
        } else {
            pairs(r).map(Some)
        }
    }

    fn optional_str<'a>(r: &mut Reader<'a>) -> R<Option<&'a str>> {
        if r.null()? {
            Ok(None)
        } else {
            r.raw_str().map(Some)
        }
    }

    fn component<'a>(r: &mut Reader<'a>) -> R<Component<'a>> {
        let mut c = Component::default();
        r.object(|r, k| {
            match k {
                "annotations" => c.annotations = optional_pairs(r)?,
                "id" => c.id = r.raw_str()?,
                "image_ref" => c.image_ref = r.raw_str()?,
                "limits" => c.limits = optional_pairs(r)?,
                "max_instances" => c.max_instances = u32::try_from(r.u64()?).map_err(|_| ())?,
                "name" => c.name = optional_str(r)?,
                "revision" => c.revision = i32::try_from(r.u64()?).map_err(|_| ())?,
                _ => return Err(()),
            }
            Ok(())
        })?;
        Ok(c)
    }

    fn provider<'a>(r: &mut Reader<'a>) -> R<Provider<'a>> {
        let mut p = Provider::default();
        r.object(|r, k| {
            match k {
                "annotations" => p.annotations = optional_pairs(r)?,
                "id" => p.id = r.raw_str()?,
                "image_ref" => p.image_ref = optional_str(r)?,
                "name" => p.name = optional_str(r)?,
                "revision" => p.revision = i32::try_from(r.u64()?).map_err(|_| ())?,
                _ => return Err(()),
            }
            Ok(())
        })?;
        Ok(p)
    }

    fn inventory<'a>(r: &mut Reader<'a>) -> R<Inventory<'a>> {
        let mut inv = Inventory::default();
        r.object(|r, k| {
            match k {
                "components" => inv.components = r.array(component)?,
                "friendly_name" => inv.friendly_name = r.raw_str()?,
                "host_id" => inv.host_id = r.raw_str()?,
                "labels" => inv.labels = pairs(r)?,
                "providers" => inv.providers = r.array(provider)?,
                "uptime_human" => inv.uptime_human = r.raw_str()?,
                "uptime_seconds" => inv.uptime_seconds = r.u64()?,
                "version" => inv.version = r.raw_str()?,
                _ => return Err(()),
            }
            Ok(())
        })?;
        Ok(inv)
    }

    /// The heartbeat from `text`, borrowing from it.
    pub fn heartbeat(text: &str) -> R<Heartbeat<'_>> {
        let mut r = Reader {
            b: text.as_bytes(),
            i: 0,
        };
        let (mut data, mut id, mut source, mut time) = (None, None, None, None);
        r.object(|r, k| {
            match k {
                "data" => data = Some(inventory(r)?),
                "datacontenttype" if r.raw_str()? == "application/json" => {}
                "id" => id = Some(r.raw_str()?.parse::<uuid::Uuid>().map_err(|_| ())?),
                "source" => source = Some(r.raw_str()?),
                "specversion" if r.raw_str()? == "1.0" => {}
                "time" => {
                    time = Some(
                        r.raw_str()?
                            .parse::<chrono::DateTime<chrono::Utc>>()
                            .map_err(|_| ())?,
                    )
                }
                "type" if r.raw_str()? == "com.wasmcloud.lattice.host_heartbeat" => {}
                _ => return Err(()),
            }
            Ok(())
        })?;
        r.ws();
        if r.i != r.b.len() {
            return Err(());
        }
        Ok(Heartbeat {
            data: data.ok_or(())?,
            id: id.ok_or(())?,
            source: source.ok_or(())?,
            time: time.ok_or(())?,
        })
    }
}

/// The same borrowed shape decoded by serde_json through serde's derive: `Cow`s that borrow from
/// the body unless a string has escapes, maps as `BTreeMap`s of them.
#[allow(dead_code)] // read by no one: it is built to be measured
pub mod serde_borrowed {
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    type Map<'a> = BTreeMap<Cow<'a, str>, Cow<'a, str>>;

    #[derive(serde::Deserialize)]
    pub struct Component<'a> {
        #[serde(borrow)]
        pub annotations: Option<Map<'a>>,
        #[serde(borrow)]
        pub id: Cow<'a, str>,
        #[serde(borrow)]
        pub image_ref: Cow<'a, str>,
        #[serde(borrow)]
        pub limits: Option<Map<'a>>,
        pub max_instances: u32,
        #[serde(borrow)]
        pub name: Option<Cow<'a, str>>,
        pub revision: i32,
    }

    #[derive(serde::Deserialize)]
    pub struct Provider<'a> {
        #[serde(borrow)]
        pub annotations: Option<Map<'a>>,
        #[serde(borrow)]
        pub id: Cow<'a, str>,
        #[serde(borrow)]
        pub image_ref: Option<Cow<'a, str>>,
        #[serde(borrow)]
        pub name: Option<Cow<'a, str>>,
        pub revision: i32,
    }

    #[derive(serde::Deserialize)]
    pub struct Inventory<'a> {
        #[serde(borrow)]
        pub components: Vec<Component<'a>>,
        #[serde(borrow)]
        pub friendly_name: Cow<'a, str>,
        #[serde(borrow)]
        pub host_id: Cow<'a, str>,
        #[serde(borrow)]
        pub labels: Map<'a>,
        #[serde(borrow)]
        pub providers: Vec<Provider<'a>>,
        #[serde(borrow)]
        pub uptime_human: Cow<'a, str>,
        pub uptime_seconds: u64,
        #[serde(borrow)]
        pub version: Cow<'a, str>,
    }

    #[derive(serde::Deserialize)]
    pub struct Heartbeat<'a> {
        #[serde(borrow)]
        pub data: Inventory<'a>,
        pub datacontenttype: &'a str,
        pub id: uuid::Uuid,
        #[serde(borrow)]
        pub source: Cow<'a, str>,
        pub specversion: &'a str,
        pub time: chrono::DateTime<chrono::Utc>,
        #[serde(rename = "type")]
        pub type_: &'a str,
    }
}
