//! The accounts' e-mails, modelled on the guide's.

use super::render::{Block, Message};
use crate::accounts::Account;
use crate::commune::Commune;

/// "Portail citoyen : confirmation de création de compte".
pub fn activation(account: &Account, commune: &Commune, token: &str) -> Message {
    Message {
        to: account.email.clone(),
        subject: "Portail citoyen : confirmation de création de compte".into(),
        greeting: format!("Bonjour {},", account.greeting_name()),
        blocks: vec![
            Block::Paragraph("Pour finaliser la création de votre compte sur le portail citoyen, veuillez confirmer votre inscription en cliquant sur le bouton suivant :".into()),
            Block::Button {
                label: "Confirmer mon inscription".into(),
                url: commune.link(&format!("/activation?token={token}")),
            },
            Block::Paragraph("Ce lien est valable 48 heures. Si vous n'êtes pas à l'origine de cette inscription, ignorez ce message : aucun compte ne sera activé.".into()),
        ],
    }
}

/// Sent instead of a second account when someone signs up with an address
/// that already has one: the answer to the sign-up stays the same, so it
/// reveals nothing; the owner learns of the attempt.
pub fn account_exists_notice(account: &Account, commune: &Commune) -> Message {
    Message {
        to: account.email.clone(),
        subject: "Portail citoyen : tentative de création de compte".into(),
        greeting: format!("Bonjour {},", account.greeting_name()),
        blocks: vec![
            Block::Paragraph("Une demande de création de compte a été faite sur le portail citoyen avec votre adresse e-mail, qui a déjà un compte. Aucun nouveau compte n'a été créé.".into()),
            Block::Paragraph("Si vous avez oublié votre mot de passe, vous pouvez le réinitialiser :".into()),
            Block::Button {
                label: "Réinitialiser mon mot de passe".into(),
                url: commune.link("/mot-de-passe-oublie"),
            },
            Block::Paragraph("Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.".into()),
        ],
    }
}

/// "Portail citoyen : réinitialisation de votre mot de passe".
pub fn password_reset(account: &Account, commune: &Commune, token: &str) -> Message {
    Message {
        to: account.email.clone(),
        subject: "Portail citoyen : réinitialisation de votre mot de passe".into(),
        greeting: format!("Bonjour {},", account.greeting_name()),
        blocks: vec![
            Block::Paragraph("Vous avez demandé à réinitialiser le mot de passe de votre compte sur le portail citoyen. Pour choisir un nouveau mot de passe, cliquez sur le bouton suivant :".into()),
            Block::Button {
                label: "Choisir un nouveau mot de passe".into(),
                url: commune.link(&format!("/nouveau-mot-de-passe?token={token}")),
            },
            Block::Paragraph("Ce lien est valable 1 heure et ne sert qu'une fois. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.".into()),
        ],
    }
}

/// Tells the owner the password changed (and every session was closed).
pub fn password_changed(account: &Account, commune: &Commune) -> Message {
    Message {
        to: account.email.clone(),
        subject: "Portail citoyen : votre mot de passe a été modifié".into(),
        greeting: format!("Bonjour {},", account.greeting_name()),
        blocks: vec![
            Block::Paragraph("Le mot de passe de votre compte sur le portail citoyen vient d'être modifié. Toutes vos sessions ouvertes ont été fermées.".into()),
            Block::Paragraph("Si vous n'êtes pas à l'origine de cette modification, réinitialisez votre mot de passe sans attendre et contactez votre collectivité.".into()),
            Block::Button {
                label: "Réinitialiser mon mot de passe".into(),
                url: commune.link("/mot-de-passe-oublie"),
            },
        ],
    }
}

/// Tells an account the commune removed its link to a family file.
pub fn unlinked(account: &Account, commune: &Commune, family_label: &str, reason: &str) -> Message {
    Message {
        to: account.email.clone(),
        subject: "Portail citoyen : votre compte n'est plus relié à un dossier famille".into(),
        greeting: format!("Bonjour {},", account.greeting_name()),
        blocks: vec![
            Block::Paragraph(format!(
                "La collectivité a retiré le lien entre votre compte et le dossier famille « {family_label} ». Vous ne voyez plus ce dossier ni le planning de ses enfants sur le portail citoyen."
            )),
            Block::Paragraph(format!("Motif : {reason}")),
            Block::Paragraph("Si vous pensez qu'il s'agit d'une erreur, contactez votre collectivité. Vos abonnements :".into()),
            Block::Button {
                label: "Mes abonnements".into(),
                url: commune.link("/mon-espace/abonnements"),
            },
        ],
    }
}
