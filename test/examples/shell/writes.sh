# Every write, against npm start's sandbox: on Emma Wilson (2034020000000100002), who has no
# attachments, with report.pdf and face.jpg from the current folder.
URL=${URL:-http://localhost:4000/graphql}
AUTH='authorization: Zoho-oauthtoken sandbox-demo-token'

# uploadAttachment: the new attachment, and the record's list read after the upload
UPLOADED=$(curl -s "$URL" -H "$AUTH" -H 'apollo-require-preflight: true' \
  -F operations='{"query":"mutation ($file: Upload!) { uploadAttachment(module: Contacts, recordId: \"2034020000000100002\", file: $file) { attachment { id fileName size createdTime downloadUrl downloadUrlExpiresAt } record { module id attachments(first: 20) { edges { cursor node { id fileName } } pageInfo { hasNextPage endCursor } } } } }","variables":{"file":null}}' \
  -F map='{"0":["variables.file"]}' -F 0=@report.pdf)
echo "$UPLOADED"
ID=$(echo "$UPLOADED" | grep -o '"attachment":{"id":"[0-9]*"' | grep -o '[0-9]\{2,\}')

# attachLink
curl -s "$URL" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"query":"mutation { attachLink(module: Contacts, recordId: \"2034020000000100002\", url: \"https://example.com/spec\", title: \"Spec\") { attachment { id fileName linkUrl } record { module id attachments(first: 20) { nodes { id fileName } } } } }"}'
echo

# deleteAttachment: the id deleted, and the record's list without it (a second delete is NOT_FOUND)
curl -s "$URL" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"query":"mutation ($id: ID!) { deleteAttachment(module: Contacts, recordId: \"2034020000000100002\", id: $id) { deletedId record { module id attachments(first: 20) { nodes { id } } } } }","variables":{"id":"'"$ID"'"}}'
echo

# uploadPhoto
curl -s "$URL" -H "$AUTH" -H 'apollo-require-preflight: true' \
  -F operations='{"query":"mutation ($file: Upload!) { uploadPhoto(module: Contacts, recordId: \"2034020000000100002\", file: $file) { module id photoUrl photoUrlExpiresAt } }","variables":{"file":null}}' \
  -F map='{"0":["variables.file"]}' -F 0=@face.jpg
echo

# deletePhoto: photoUrl is null in its answer (a record without a photo is NOT_FOUND)
curl -s "$URL" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"query":"mutation { deletePhoto(module: Contacts, recordId: \"2034020000000100002\") { module id photoUrl photoUrlExpiresAt } }"}'
echo
