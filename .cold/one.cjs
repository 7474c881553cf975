require('@aws-sdk/client-dynamodb');require('@aws-sdk/client-sfn');require('@aws-sdk/client-sns');require('@aws-sdk/client-secrets-manager')
