/** CRDs written for the generator's unit tests: one construct of the structural-schema vocabulary each. */

/** A namespaced CRD with two served versions (one deprecated) and one unserved, using every construct the generator maps. */
export const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.kubefluent.dev
spec:
  group: example.kubefluent.dev
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: { status: {}, scale: { specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas } }
    schema:
      openAPIV3Schema:
        type: object
        description: A Widget is made of parts.
        properties:
          apiVersion: { type: string }
          kind: { type: string }
          metadata: { type: object }
          spec:
            type: object
            description: What the widget should be.
            required: [size, name, mode]
            x-kubernetes-validations:
            - rule: self.replicas <= 10
              message: at most ten replicas
            properties:
              name: { type: string, pattern: '^[a-z][-a-z0-9]*$', minLength: 2, maxLength: 12, description: The widget's name. }
              size: { type: string, enum: [small, large] }
              replicas: { type: integer, format: int32, minimum: 0, maximum: 100 }
              ratio: { type: number, minimum: 0, maximum: 1, exclusiveMaximum: true }
              mode: { type: string, default: fast, description: Defaulted by the server. }
              port: { x-kubernetes-int-or-string: true, anyOf: [{ type: integer }, { type: string }], pattern: '^[a-z]+$' }
              note: { type: string, nullable: true }
              createdAt: { type: string, format: date-time }
              blob: { type: string, format: byte }
              labels: { type: object, additionalProperties: { type: string } }
              extra: { type: object, x-kubernetes-preserve-unknown-fields: true }
              anything: { x-kubernetes-preserve-unknown-fields: true }
              template: { type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true }
              tags: { type: array, x-kubernetes-list-type: set, maxItems: 3, items: { type: string } }
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: { type: string }
                    number: { type: integer }
              target:
                type: object
                oneOf:
                - required: [host]
                - required: [ip]
                properties:
                  host: { type: string }
                  ip: { type: string, format: ipv4 }
              mixed: { enum: [1, "two", true] }
              empty: { type: object }
              when: { type: string, pattern: '^(?i)mon|tue$' }
          status:
            type: object
            properties:
              replicas: { type: integer }
              conditions:
                type: array
                items:
                  type: object
                  required: [type, status]
                  properties:
                    type: { type: string }
                    status: { type: string, enum: ["True", "False", "Unknown"] }
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    deprecationWarning: example.kubefluent.dev/v1beta1 Widget is deprecated; use v1
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: { type: object, properties: { size: { type: string } } }
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema: { type: object }
`;

/** A cluster-scoped CRD in JSON. */
export const GADGET_CRD_JSON = JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.kubefluent.dev' },
  spec: {
    group: 'example.kubefluent.dev',
    names: { kind: 'Gadget', plural: 'gadgets' },
    scope: 'Cluster',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { color: { type: 'string' } } } } } } }],
  },
});

/** Replaces one line of a YAML text (for malformed variants). */
export function withLine(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture has no ${from}`);
  return text.replace(from, () => to);
}
