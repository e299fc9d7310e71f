/** Console wording in French for the API clients page (spread into fr.ts). */
export const clientsFr = {
  navClients: "Clients API",
  clientsTitle: "Clients API",
  clientsIntro:
    "Un client API est un logiciel (agenda en ligne, logiciel de cabinet, entrepôt de données) qui appelle l'API ou le point FHIR de la clinique avec OAuth 2.0 (client credentials). Il ne voit que cette clinique, dans les limites de ses scopes, et chaque accès est inscrit au journal d'audit.",
  clientsNone: "Aucun client API.",
  clientName: "Nom",
  clientId: "client_id",
  clientScopes: "Scopes",
  clientCreated: "Créé le",
  clientState: "État",
  clientActive: "Actif",
  clientRevoked: "Révoqué le {date}",
  clientNew: "Nouveau client API",
  clientScopesHint:
    "Scopes SMART séparés par des espaces, p. ex. system/Patient.rs system/Appointment.cruds, ou system/*.read pour tout lire. Lettres : c créer, r lire, u modifier, d supprimer, s rechercher ; .read = rs, .write = cud.",
  clientCreate: "Créer le client",
  clientRotate: "Nouveau secret",
  clientRotateFor: "Donner un nouveau secret à {name}",
  clientRevoke: "Révoquer",
  clientRevokeFor: "Révoquer {name}",
  clientSecretTitle: "Secret de {name}",
  clientSecretIntro:
    "Copiez ce secret maintenant : il n'est affiché qu'une fois et n'est conservé que sous forme d'empreinte. L'ancien secret et les jetons déjà délivrés ne fonctionnent plus.",
  clientSecret: "client_secret",
  clientTokenExample: "Obtenir un jeton",
  clientRevokedDone: "Le client est révoqué : ses jetons sont refusés dès maintenant.",
  clientInvalid: "Nom ou scopes invalides : {reason}",
  clientGone: "Ce client n'existe pas ou est déjà révoqué.",
};
