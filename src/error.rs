//! The library's top-level error: one variant per module boundary, each mapped to an exit code.

use crate::catalog::CatalogError;
use crate::exit::Exit;
use crate::export::ExportError;
use crate::query::QueryError;
use crate::remote::RemoteError;
use crate::store::StoreError;
use crate::validate::ValidateError;
use std::io;

/// Anything that can stop a digicoop command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Building the store or loading a file failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A query failed to parse or run.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A saved query or its parameters are wrong.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// An export failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// Validation could not run, or found violations.
    #[error(transparent)]
    Validate(#[from] ValidateError),
    /// A SPARQL endpoint (`--endpoint`) failed. Its timeouts and interruptions become
    /// [`Error::Query`] errors, the same as local ones.
    #[error(transparent)]
    Remote(RemoteError),
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Io(#[from] io::Error),
    /// The arguments do not make sense together.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Store(StoreError::Syntax { .. }) => Exit::Syntax,
            Error::Store(StoreError::UnknownFormat(_) | StoreError::BadGraph(_)) => Exit::Usage,
            Error::Store(StoreError::Interrupted(_)) => Exit::Interrupted,
            Error::Store(StoreError::Busy { .. }) => Exit::Busy,
            Error::Store(
                StoreError::NotAStore(_) | StoreError::NoStore(_) | StoreError::NoDiskSupport,
            ) => Exit::Usage,
            Error::Store(_) => Exit::Data,
            Error::Query(QueryError::Syntax(_)) => Exit::Syntax,
            Error::Query(QueryError::Timeout(_)) => Exit::Timeout,
            Error::Query(QueryError::Interrupted) => Exit::Interrupted,
            Error::Query(QueryError::Unsupported(_)) => Exit::Usage,
            Error::Query(QueryError::Evaluation(_)) => Exit::Evaluation,
            Error::Catalog(CatalogError::Query {
                source: QueryError::Syntax(_),
                ..
            }) => Exit::Syntax,
            Error::Catalog(CatalogError::Io(..)) => Exit::Data,
            Error::Catalog(_) => Exit::Usage,
            Error::Export(ExportError::NoSuchGraph(_) | ExportError::NotRdf(_)) => Exit::Usage,
            Error::Export(_) => Exit::Data,
            Error::Validate(ValidateError::Shapes(_)) => Exit::Syntax,
            Error::Validate(_) => Exit::Data,
            Error::Remote(
                RemoteError::BadUrl(_)
                | RemoteError::CredentialsInUrl(_)
                | RemoteError::Credentials(_),
            ) => Exit::Usage,
            Error::Remote(_) => Exit::Endpoint,
            Error::Io(_) => Exit::Data,
            Error::Usage(_) => Exit::Usage,
        }
    }

    /// Whether this is a write to a closed pipe (`digicoop ... | head`), which is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        let io = match self {
            Error::Io(e) => Some(e),
            Error::Export(ExportError::Io(e)) => Some(e),
            _ => None,
        };
        io.is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<RemoteError> for Error {
    fn from(error: RemoteError) -> Self {
        match error {
            RemoteError::Timeout(t) => Error::Query(QueryError::Timeout(t)),
            RemoteError::Interrupted => Error::Query(QueryError::Interrupted),
            other => Error::Remote(other),
        }
    }
}
