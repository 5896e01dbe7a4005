# gdprprobe: a third-party plugin taking part in the data-subject contract
# (t/gdpr-*.t): its notes appear in the export and go with the erasure.
