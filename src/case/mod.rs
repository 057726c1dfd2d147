//! Case files: one YAML file per scenario under `cases/<api>/`; its id is its path under `cases/`
//! without the extension, which is also its trial name and its snapshot name. The format is
//! documented in cases/README.md and defined by schemas/case.schema.json, against which every file
//! is validated when loading; errors carry file:line:col.

pub mod error;
pub mod load;
pub mod model;
pub mod tree;

pub use error::CaseError;
pub use load::{CaseFormat, case_id, discover, load_all, load_case};
pub use model::*;
