//! A small argument parser: positionals, boolean flags and `--name value` options.

use crate::Usage;

pub struct Args {
    pub positionals: Vec<String>,
    flags: Vec<String>,
    options: Vec<(String, String)>,
}

impl Args {
    /// Splits `args`; `flags` take no value, `options` take one.
    pub fn parse(args: &[String], flags: &[&str], options: &[&str]) -> Result<Self, Usage> {
        let mut out = Args {
            positionals: Vec::new(),
            flags: Vec::new(),
            options: Vec::new(),
        };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if let Some(name) = arg.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (name, None),
                };
                if flags.contains(&name) && inline.is_none() {
                    out.flags.push(name.to_owned());
                } else if options.contains(&name) {
                    let value = match inline {
                        Some(v) => v,
                        None => iter
                            .next()
                            .cloned()
                            .ok_or_else(|| Usage(format!("--{name} needs a value")))?,
                    };
                    out.options.push((name.to_owned(), value));
                } else {
                    return Err(Usage(format!("unknown option --{name}")));
                }
            } else if arg == "-" || !arg.starts_with('-') {
                out.positionals.push(arg.clone());
            } else {
                return Err(Usage(format!("unknown option {arg}")));
            }
        }
        Ok(out)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    pub fn option(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}
