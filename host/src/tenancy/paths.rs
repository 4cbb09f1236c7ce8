//! A tenant's file grants: every path its connectors name must lie under the tenant's `fs.root`.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against `root` (a relative path is taken inside `root`) and checked to
/// lie under it, lexically (`..` cannot climb out) and, for paths that exist, after resolving
/// symbolic links. No `root`: the tenant may not use files at all.
pub fn resolve_under_root(root: Option<&Path>, path: &str) -> Result<PathBuf, String> {
    let Some(root) = root else {
        return Err(format!(
            "'{path}': this tenant has no fs.root, so its plugins may not use files"
        ));
    };
    let root = normalize(root);
    let joined = normalize(&root.join(path.trim()));
    let outside = || {
        format!(
            "'{path}' is outside the tenant's fs.root {}",
            root.display()
        )
    };
    if !joined.starts_with(&root) {
        return Err(outside());
    }
    // A symbolic link inside the root may point out of it: check the real locations too.
    if let (Ok(real_root), Some(real)) = (root.canonicalize(), existing_ancestor(&joined))
        && !real.starts_with(&real_root)
    {
        return Err(outside());
    }
    Ok(joined)
}

/// The canonical form of the longest existing ancestor of `path` (itself included).
fn existing_ancestor(path: &Path) -> Option<PathBuf> {
    path.ancestors().find_map(|p| p.canonicalize().ok())
}

/// `path` with `.` dropped and `..` applied, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("a");
        std::fs::create_dir_all(root.join("in")).unwrap();
        assert_eq!(
            resolve_under_root(Some(&root), "in/file.txt").unwrap(),
            root.join("in/file.txt")
        );
        let inside = root.join("in").to_string_lossy().to_string();
        assert_eq!(
            resolve_under_root(Some(&root), &inside).unwrap(),
            root.join("in")
        );
        for bad in ["../b/file", "/etc/passwd", "in/../../b"] {
            let e = resolve_under_root(Some(&root), bad).unwrap_err();
            assert!(e.contains("outside the tenant's fs.root"), "{bad}: {e}");
        }
        assert!(
            resolve_under_root(None, "x")
                .unwrap_err()
                .contains("no fs.root")
        );
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_cannot_lead_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("a");
        let other = dir.path().join("b");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        std::os::unix::fs::symlink(&other, root.join("link")).unwrap();
        let e = resolve_under_root(Some(&root), "link/secret").unwrap_err();
        assert!(e.contains("outside"), "{e}");
    }
}
