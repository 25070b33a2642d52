//! Generated files against the files on disk: drift, stale files, atomic writes.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{GeneratedFile, Job};

/// A file on disk that differs from what the generator produces.
#[derive(Debug)]
pub struct Drift {
    pub path: PathBuf,
    /// Unified diff from the file on disk to the generated text.
    pub diff: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not up to date:\n{}",
            self.path.display(),
            self.diff
        )
    }
}

/// The file's text with Windows line ends made Unix ones, as a checkout may have them.
fn read_normalized(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.replace("\r\n", "\n"))
}

/// Files with extension `ext` under `dir`, relative to the job's base.
fn files_under(job: &Job, dir: &Path, ext: &str, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(job.abs(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = dir.join(entry.file_name());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            if recursive {
                files_under(job, &path, ext, true, out);
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Files in the job's directories that the generator owns but did not produce this time.
fn stale_files(job: &Job, files: &[GeneratedFile]) -> Vec<PathBuf> {
    let mut existing = Vec::new();
    for group in &job.groups {
        files_under(job, &group.out_dir, "rs", false, &mut existing);
        if let Some(dir) = &group.schema_dir {
            files_under(job, dir, "json", true, &mut existing);
        }
    }
    let mut stale: Vec<PathBuf> = existing
        .into_iter()
        .filter(|p| !files.iter().any(|f| &f.path == p))
        .collect();
    stale.sort();
    stale
}

impl Job {
    /// Compares generated files with the files on disk; writes nothing.
    pub fn check(&self, files: &[GeneratedFile]) -> Vec<Drift> {
        let mut drift = Vec::new();
        for file in files {
            let on_disk = read_normalized(&self.abs(&file.path)).unwrap_or_default();
            if on_disk != file.contents {
                let diff = similar::TextDiff::from_lines(&on_disk, &file.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{} (on disk)", file.path.display()),
                        &format!("{} (generated)", file.path.display()),
                    )
                    .to_string();
                drift.push(Drift {
                    path: file.path.clone(),
                    diff,
                });
            }
        }
        for path in stale_files(self, files) {
            drift.push(Drift {
                diff: "(the generator no longer produces this file; it should be deleted)\n".into(),
                path,
            });
        }
        drift
    }

    /// Writes the files that changed, each through a temporary file and a rename (either every
    /// temporary file is written or nothing is replaced), and removes stale generated files;
    /// returns the paths of both, relative to [`Job::base`].
    pub fn write(&self, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
        let mut written = write_if_changed(&self.base, files)?;
        for stale in stale_files(self, files) {
            std::fs::remove_file(self.abs(&stale))?;
            written.push(stale);
        }
        Ok(written)
    }
}

/// Writes each file (its path relative to `base`) whose text differs from what is on disk, through a temporary file beside it
/// and a rename, so no reader ever sees half a file; returns the paths written. Either every
/// temporary file is written or nothing is replaced. A file already up to date is not touched,
/// which keeps its modification time and spares rebuilds.
pub(crate) fn write_if_changed(
    base: &Path,
    files: &[GeneratedFile],
) -> std::io::Result<Vec<PathBuf>> {
    let changed: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| read_normalized(&base.join(&f.path)).as_deref() != Some(f.contents.as_str()))
        .collect();
    let mut temps = Vec::new();
    let staged = (|| {
        for file in &changed {
            let target = base.join(&file.path);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let name = target.file_name().unwrap_or_default().to_string_lossy();
            let temp = target.with_file_name(format!(".{name}.asyncapi-codegen-tmp"));
            temps.push((temp.clone(), target));
            std::fs::write(&temp, &file.contents)?;
        }
        Ok(())
    })();
    if let Err(e) = staged {
        for (temp, _) in &temps {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }
    for (temp, target) in &temps {
        std::fs::rename(temp, target)?;
    }
    Ok(changed.into_iter().map(|f| f.path.clone()).collect())
}
