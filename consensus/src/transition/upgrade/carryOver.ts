// The structural half of every `upgrade_to_<fork>`: the next fork's BeaconState view built from the previous fork's
// tree. Each field the new fork keeps (same name, same SSZ type) reuses the old field's subtree node as is, so nothing
// is re-serialized and nothing already hashed is hashed again (at 1M validators the registry, balances and
// participation subtrees are shared, not copied); the fields the upgrade changes start at their defaults and the
// upgrade sets them through the returned view.
import { getNodesAtDepth, type Node, subtreeFillToContents } from "@chainsafe/persistent-merkle-tree";

/** What this helper needs of a ContainerType (structural, so every fork's BeaconState type fits). */
export interface ContainerTypeLike {
  readonly depth: number;
  readonly fieldsEntries: readonly { readonly fieldName: string; readonly fieldType: { readonly typeName: string } }[];
  getViewDU(node: Node): unknown;
  value_toTree(value: never): Node;
  defaultValue(): unknown;
}
type AnyContainer = ContainerTypeLike;

/** The default field nodes of a container type (built once per type). */
const defaultFieldNodes = new WeakMap<object, Node[]>();

function defaultNodesOf(type: AnyContainer): Node[] {
  let nodes = defaultFieldNodes.get(type);
  if (nodes === undefined) {
    const root = type.value_toTree(type.defaultValue() as never);
    nodes = getNodesAtDepth(root, type.depth, 0, type.fieldsEntries.length);
    defaultFieldNodes.set(type, nodes);
  }
  return nodes;
}

/**
 * A view of `toType` whose fields are `fromView`'s subtrees wherever the field exists in `fromType` with the same
 * type, and `toType`'s defaults elsewhere. `changed` names the fields the caller sets afterwards: a field that keeps
 * its name but changes type must be listed there (otherwise this throws, rather than silently reset it). The
 * returned view is independent of `fromView` (no view caches are shared), so the pre-state stays usable.
 */
export function carryOverState<V>(
  fromType: AnyContainer,
  fromView: { commit(): void; readonly node: Node },
  toType: AnyContainer,
  changed: readonly string[],
): V {
  fromView.commit();
  const fromFields = fromType.fieldsEntries;
  const fromNodes = getNodesAtDepth(fromView.node, fromType.depth, 0, fromFields.length);
  const fromIndex = new Map<string, number>();
  fromFields.forEach((entry, i) => {
    fromIndex.set(entry.fieldName, i);
  });
  const defaults = defaultNodesOf(toType);
  const changedSet = new Set(changed);
  const nodes: Node[] = toType.fieldsEntries.map((entry, i) => {
    const name = entry.fieldName;
    const j = fromIndex.get(name);
    if (changedSet.has(name) || j === undefined) return defaults[i];
    if (fromFields[j].fieldType !== entry.fieldType) {
      throw new Error(
        `carryOverState: field ${name} changes type from ${fromFields[j].fieldType.typeName} to ` +
          `${entry.fieldType.typeName} and the upgrade does not set it`,
      );
    }
    return fromNodes[j];
  });
  return toType.getViewDU(subtreeFillToContents(nodes, toType.depth)) as V;
}
