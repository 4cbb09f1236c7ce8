//! python projects (being written).

use std::path::{Path, PathBuf};

use super::{DevError, ManifestPlugin, NewProject, ProjectFile};

pub(super) fn new_project(_project: &NewProject) -> Result<Vec<ProjectFile>, DevError> {
    Err(DevError::Usage(
        "python projects are not supported yet".into(),
    ))
}

pub(super) fn build(_dir: &Path, _plugin: &ManifestPlugin) -> Result<PathBuf, DevError> {
    Err(DevError::Usage(
        "python projects are not supported yet".into(),
    ))
}
