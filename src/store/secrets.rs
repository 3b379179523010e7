//! Secrets made once per deployment and shared by its instances through the database.

use super::{Store, StoreError};
use crate::form_token::FormTokenKey;
use sqlx::Row;

const FORM_TOKEN_KEY: &str = "form_token_key";

impl Store {
    /// The key that signs comment-form tokens, made on the first start. Every instance reads
    /// the same one, so a form shown by one instance can be sent to another.
    pub async fn form_token_key(&self) -> Result<FormTokenKey, StoreError> {
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(FORM_TOKEN_KEY)
            .bind(FormTokenKey::generate().to_hex())
            .execute(self.pool())
            .await?;
        let stored: String = sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
            .bind(FORM_TOKEN_KEY)
            .fetch_one(self.pool())
            .await?
            .try_get("value")?;
        FormTokenKey::parse_hex(&stored)
            .ok_or_else(|| StoreError::Corrupt("the form token key is not 64 hex digits".into()))
    }
}
